SELEC visit_id FROM admissions
