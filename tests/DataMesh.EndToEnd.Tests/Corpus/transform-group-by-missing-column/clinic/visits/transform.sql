SELECT visit_id, patient_id, ward, CAST(count(*) AS INTEGER) AS minutes
FROM admissions
GROUP BY visit_id, ward
