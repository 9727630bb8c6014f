SELECT visit_id, patient_id, ward,
       minutes + ward AS minutes
FROM admissions
