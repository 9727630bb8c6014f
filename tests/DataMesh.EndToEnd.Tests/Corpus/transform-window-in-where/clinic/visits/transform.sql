SELECT visit_id, patient_id, ward, minutes
FROM admissions
WHERE row_number() OVER (PARTITION BY patient_id ORDER BY visit_id) = 1
