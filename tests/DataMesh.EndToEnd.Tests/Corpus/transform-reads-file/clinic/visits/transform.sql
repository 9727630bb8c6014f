SELECT visit_id, patient_id, ward, minutes
FROM read_csv('/etc/passwd')
