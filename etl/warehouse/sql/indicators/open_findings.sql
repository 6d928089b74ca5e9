-- Inspection findings not yet resolved (open or in progress): the follow-up list (I14), overdue
-- or not; counts by status come from inspections.sql, the overdue subset from overdue_findings.sql.
-- Grain: one row per finding; same scope rule as inspections.sql (inspections dated within the
-- scope's months, undated ones always, in the scope's communes), by commune then due date.
-- Parameters: $first, $last ('YYYY-MM'), $communes (VARCHAR[]).
SELECT f.commune_code, c.commune_name, f.branch_code, b.branch_name, f.plan_ref, f.inspected_on,
       f.category, f.description, f.recommendation, f.due_date, f.status
FROM findings_in_scope($first, $last, $communes) AS f
LEFT JOIN units_commune AS c ON c.commune_code = f.commune_code
LEFT JOIN units_branch AS b ON b.branch_code = f.branch_code
WHERE f.status <> 'resolved'
ORDER BY c.commune_name, f.commune_code, f.due_date NULLS LAST, f.category
