-- Branch kinds present among the branches active in the scope, of the scope's communes
-- (the kinds filter itself is not applied: this feeds the kinds picker).
-- Grain: one row per units_branch.kind, with the number of branches.
-- Parameters: $first, $last ('YYYY-MM'), $communes (VARCHAR[], empty = all).
SELECT kind AS branch_kind, count(*) AS branches
FROM units_branch
WHERE kind IS NOT NULL
  AND valid_between(valid_from, valid_to, period_start($first), period_end($last))
  AND in_scope($communes, commune_code)
GROUP BY kind
ORDER BY kind
