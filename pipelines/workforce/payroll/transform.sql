SELECT
    p.employee_id,
    p.period,
    e.department,
    e.cost_center,
    e.fte,
    p.gross,
    p.net,
    p.currency
FROM payroll_run p
LEFT JOIN employees e USING (employee_id)
