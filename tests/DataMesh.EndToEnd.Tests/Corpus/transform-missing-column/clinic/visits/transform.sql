SELECT visit_id, patient_id, ward,
       minutse AS minutes
FROM admissions
