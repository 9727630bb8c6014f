SELECT visit_id, patient_id, ward,
       lag(minutes) AS minutes
FROM admissions
