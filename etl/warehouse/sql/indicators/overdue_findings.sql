-- Overdue inspection findings (I14): the follow-up list.
-- Grain: one row per finding overdue as of $as_of (due before it and not resolved on or before
-- it), among findings of inspections dated within the scope (undated ones always), most overdue
-- first.
-- Parameters: $first, $last ('YYYY-MM'), $communes (VARCHAR[]), $as_of (DATE).
SELECT f.commune_code, c.commune_name, f.branch_code, b.branch_name,
       f.plan_ref, f.inspected_on, f.category, f.description, f.recommendation,
       f.due_date, f.status, f.resolved_on,
       ($as_of::DATE - f.due_date) AS days_overdue
FROM findings_in_scope($first, $last, $communes) AS f
LEFT JOIN units_commune AS c ON c.commune_code = f.commune_code
LEFT JOIN units_branch AS b ON b.branch_code = f.branch_code
WHERE is_overdue(f.due_date, f.status, f.resolved_on, $as_of)
ORDER BY days_overdue DESC, c.commune_name, f.commune_code, f.due_date
