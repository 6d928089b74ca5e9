-- Branches for the drill-down: active in at least one month of the scope, of the scope's
-- communes and branch kinds.
-- Grain: one row per branch, by commune then branch name.
-- Parameters: $first, $last ('YYYY-MM'), $communes, $kinds (VARCHAR[], empty = all).
SELECT b.branch_code, b.branch_name, b.commune_code, c.commune_name, b.kind AS branch_kind,
       b.valid_from, b.valid_to
FROM units_branch AS b
LEFT JOIN units_commune AS c ON c.commune_code = b.commune_code
WHERE valid_between(b.valid_from, b.valid_to, period_start($first), period_end($last))
  AND in_scope($communes, b.commune_code)
  AND in_scope($kinds, b.kind)
ORDER BY c.commune_name, b.commune_code, b.branch_name, b.branch_code
