-- Communes for the filters: active in at least one month of the scope or with a current
-- report in it, restricted to $communes when given.
-- Grain: one row per commune, by name.
-- Parameters: $first, $last ('YYYY-MM'), $communes (VARCHAR[], empty = all).
WITH active AS (
    SELECT commune_code, count(*) AS active_months
    FROM active_communes($first, $last, []::VARCHAR[])
    GROUP BY commune_code
),
reports AS (
    SELECT commune_code, count(*) AS reported_months
    FROM current_reports_in($first, $last, []::VARCHAR[])
    GROUP BY commune_code
)
SELECT c.commune_code, c.commune_name, c.kind, c.valid_from, c.valid_to, c.merged_into,
       coalesce(a.active_months, 0) AS active_months,
       coalesce(r.reported_months, 0) AS reported_months
FROM units_commune AS c
LEFT JOIN active AS a USING (commune_code)
LEFT JOIN reports AS r USING (commune_code)
WHERE (a.commune_code IS NOT NULL OR r.commune_code IS NOT NULL)
  AND in_scope($communes, c.commune_code)
ORDER BY c.commune_name, c.commune_code
