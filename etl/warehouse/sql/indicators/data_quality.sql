-- Data-quality flags (DOMAIN.md "Data quality across months"; sql/quality/*.sql, one rule a file).
-- Grain: one row per flag of the scope's months and communes (branch_code NULL for a
-- commune-level rule), with unit names; newest month first, then by commune and branch.
-- Parameters: $first, $last ('YYYY-MM'), $communes (VARCHAR[], empty = all), $unverified
-- (BOOLEAN: only the flags the board has not verified).
SELECT f.commune_code, c.commune_name, f.branch_code, b.branch_name, f.period, f.rule, f.field,
       f.value, f.expected, f.previous_period, f.previous_value, f.source_file, f.sheet, f.cell,
       f.message, f.verified, f.load_id
FROM quality_flags($first, $last, $communes) AS f
LEFT JOIN units_commune AS c ON c.commune_code = f.commune_code
LEFT JOIN units_branch AS b ON b.branch_code = f.branch_code
WHERE NOT ($unverified AND f.verified)
ORDER BY f.period DESC, c.commune_name, f.commune_code, b.branch_name NULLS FIRST, f.rule, f.field
