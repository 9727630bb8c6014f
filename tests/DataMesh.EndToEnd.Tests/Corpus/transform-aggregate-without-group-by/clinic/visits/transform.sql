SELECT visit_id, patient_id, ward,
       CAST(sum(minutes) AS INTEGER) AS minutes
FROM admissions
