-- Branch kinds present among the branches active in the scope, of the scope's communes
-- (the kinds filter itself is not applied: this feeds the kinds picker).
-- Grain: one row per units_branch.kind, with the number of branches.
-- Parameters: $first, $last ('YYYY-MM'), $communes (VARCHAR[], empty = all).
SELECT kind AS branch_kind, count(*) AS branches
FROM units_branch
WHERE kind IS NOT NULL
  AND (valid_from IS NULL OR valid_from <= last_day(strptime($last, '%Y-%m')::DATE))
  AND (valid_to IS NULL OR valid_to >= strptime($first, '%Y-%m')::DATE)
  AND (len($communes) = 0 OR list_contains($communes, commune_code))
GROUP BY kind
ORDER BY kind
