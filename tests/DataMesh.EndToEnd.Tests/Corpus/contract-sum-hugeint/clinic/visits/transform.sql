SELECT visit_id, patient_id, ward,
       sum(minutes) AS minutes
FROM admissions
GROUP BY ALL
