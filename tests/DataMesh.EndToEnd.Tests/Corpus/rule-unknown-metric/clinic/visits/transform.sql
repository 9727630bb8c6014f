SELECT visit_id, patient_id, ward, minutes
FROM admissions
