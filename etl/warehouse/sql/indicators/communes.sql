-- Communes for the filters: active in at least one month of the scope or with a current
-- report in it, restricted to $communes when given.
-- Grain: one row per commune, by name.
-- Parameters: $first, $last ('YYYY-MM'), $communes (VARCHAR[], empty = all).
WITH months AS (
    SELECT strftime(m, '%Y-%m') AS period, m::DATE AS month_start, last_day(m::DATE) AS month_end
    FROM generate_series(strptime($first, '%Y-%m')::DATE, strptime($last, '%Y-%m')::DATE,
                         INTERVAL 1 MONTH) AS g(m)
),
active AS (
    SELECT c.commune_code, count(*) AS active_months
    FROM units_commune AS c JOIN months AS m
      ON (c.valid_from IS NULL OR c.valid_from <= m.month_end)
     AND (c.valid_to IS NULL OR c.valid_to >= m.month_start)
    GROUP BY c.commune_code
),
reports AS (
    SELECT commune_code, count(*) AS reported_months
    FROM report_submissions
    WHERE is_current AND period BETWEEN $first AND $last
    GROUP BY commune_code
)
SELECT c.commune_code, c.commune_name, c.kind, c.valid_from, c.valid_to, c.merged_into,
       coalesce(a.active_months, 0) AS active_months,
       coalesce(r.reported_months, 0) AS reported_months
FROM units_commune AS c
LEFT JOIN active AS a USING (commune_code)
LEFT JOIN reports AS r USING (commune_code)
WHERE (a.commune_code IS NOT NULL OR r.commune_code IS NOT NULL)
  AND (len($communes) = 0 OR list_contains($communes, c.commune_code))
ORDER BY c.commune_name, c.commune_code
