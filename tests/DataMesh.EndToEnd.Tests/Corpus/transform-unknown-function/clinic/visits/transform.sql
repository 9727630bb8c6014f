SELECT visit_id, patient_id, ward,
       round_to(minutes, 5) AS minutes
FROM admissions
