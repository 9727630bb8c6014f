SELECT visit_id, patient_id, ward
FROM admissions
