-- Branches for the drill-down: active in at least one month of the scope, of the scope's
-- communes and branch kinds.
-- Grain: one row per branch, by commune then branch name.
-- Parameters: $first, $last ('YYYY-MM'), $communes, $kinds (VARCHAR[], empty = all).
SELECT b.branch_code, b.branch_name, b.commune_code, c.commune_name, b.kind AS branch_kind,
       b.valid_from, b.valid_to
FROM units_branch AS b
LEFT JOIN units_commune AS c ON c.commune_code = b.commune_code
WHERE (b.valid_from IS NULL OR b.valid_from <= last_day(strptime($last, '%Y-%m')::DATE))
  AND (b.valid_to IS NULL OR b.valid_to >= strptime($first, '%Y-%m')::DATE)
  AND (len($communes) = 0 OR list_contains($communes, b.commune_code))
  AND (len($kinds) = 0 OR list_contains($kinds, b.kind))
ORDER BY c.commune_name, b.commune_code, b.branch_name, b.branch_code
