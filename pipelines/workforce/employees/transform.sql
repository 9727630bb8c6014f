SELECT employee_id, full_name, email, national_id, department, cost_center, hire_date, fte
FROM hris_employees
