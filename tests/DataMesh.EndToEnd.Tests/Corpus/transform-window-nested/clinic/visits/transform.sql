SELECT visit_id, patient_id, ward,
       CAST(sum(rank() OVER (ORDER BY visit_id)) OVER () AS INTEGER) AS minutes
FROM admissions
