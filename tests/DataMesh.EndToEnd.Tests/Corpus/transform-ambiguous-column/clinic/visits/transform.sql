SELECT a.visit_id, a.patient_id,
       ward, a.minutes
FROM admissions a JOIN wards w ON a.ward = w.ward
