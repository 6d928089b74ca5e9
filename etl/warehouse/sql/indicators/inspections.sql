-- Inspection findings: I14 (DOMAIN.md), counts by status, overdue count and resolved share.
-- Grain: one row per commune x category at the finest; $by_commune / $by_category choose the
-- keys (both false = one row for all findings in scope). Only communes with findings appear.
-- In scope: findings of inspections dated within the scope's months (undated ones always),
-- in the scope's communes. Status columns are the register's current status.
-- Overdue as of $as_of: due before it and not resolved on or before it (a finding resolved
-- later than $as_of was still overdue on that day). Unresolved: open or in progress.
-- Parameters: $first, $last ('YYYY-MM'), $communes (VARCHAR[]), $by_commune, $by_category,
-- $as_of (DATE).
WITH findings AS (
    SELECT f.*, is_overdue(f.due_date, f.status, f.resolved_on, $as_of) AS overdue
    FROM findings_in_scope($first, $last, $communes) AS f
),
grouped AS (
    SELECT CASE WHEN $by_commune THEN commune_code END AS commune_code,
           CASE WHEN $by_category THEN category END AS category,
           count(*) AS findings,
           count(*) FILTER (WHERE status = 'open') AS open,
           count(*) FILTER (WHERE status = 'in_progress') AS in_progress,
           count(*) FILTER (WHERE status = 'resolved') AS resolved,
           count(*) FILTER (WHERE overdue) AS overdue
    FROM findings
    GROUP BY 1, 2
)
SELECT g.commune_code, c.commune_name, g.category,
       g.findings, g.open, g.in_progress, g.resolved, g.overdue,
       g.resolved / nullif(g.findings, 0) AS i14_resolved_share,
       g.open + g.in_progress AS unresolved
FROM grouped AS g
LEFT JOIN units_commune AS c ON c.commune_code = g.commune_code
ORDER BY c.commune_name, g.commune_code, g.category
