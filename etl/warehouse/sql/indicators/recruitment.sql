-- Party membership flows: I12 (sources trained) and I13 (change) with its components.
-- Grain: one row per branch x month at the finest; $by_branch / $by_commune / $by_month choose
-- the keys (by_branch implies the commune key), a key not chosen is NULL.
-- Commune-months: active communes plus any with a current report. Sums cover reported
-- commune-months only (a branch left out of sheet 3 counts 0); with nothing reported in the
-- group they are NULL, never 0. The branch grain lists branches that have rows.
-- working_away is a month-end count: summed within a month; over several months it is the
-- count in each commune's latest reported month of the scope.
-- Not filtered by branch kind: admissions are judged against commune targets (I11).
-- Parameters: $first, $last ('YYYY-MM'), $communes (VARCHAR[]), $by_commune, $by_branch, $by_month.
WITH commune_months AS (
    SELECT coalesce(a.commune_code, r.commune_code) AS commune_code,
           coalesce(a.period, r.period) AS period,
           r.commune_code IS NOT NULL AS reported
    FROM active_communes($first, $last, $communes) AS a
    FULL JOIN current_reports_in($first, $last, $communes) AS r
      ON a.commune_code = r.commune_code AND a.period = r.period
),
latest AS (
    SELECT commune_code, max(period) AS latest_period
    FROM commune_months WHERE reported GROUP BY commune_code
),
flows AS (
    SELECT cm.commune_code, cm.period, cm.reported,
           cm.period = l.latest_period AS is_latest,
           x.branch_code, x.sources_trained, x.admitted, x.confirmed_official, x.transferred_in,
           x.transferred_out, x.deceased, x.removed, x.working_away
    FROM commune_months AS cm
    LEFT JOIN latest AS l USING (commune_code)
    LEFT JOIN recruitment AS x
      ON x.commune_code = cm.commune_code AND x.period = cm.period AND cm.reported
    WHERE NOT $by_branch OR x.branch_code IS NOT NULL
),
grouped AS (
    SELECT CASE WHEN $by_commune OR $by_branch THEN commune_code END AS commune_code,
           CASE WHEN $by_branch THEN branch_code END AS branch_code,
           CASE WHEN $by_month THEN period END AS period,
           count(DISTINCT (commune_code, period)) FILTER (WHERE reported) AS reported_months,
           coalesce(sum(sources_trained), 0)::BIGINT AS sources_trained,
           coalesce(sum(admitted), 0)::BIGINT AS admitted,
           coalesce(sum(confirmed_official), 0)::BIGINT AS confirmed_official,
           coalesce(sum(transferred_in), 0)::BIGINT AS transferred_in,
           coalesce(sum(transferred_out), 0)::BIGINT AS transferred_out,
           coalesce(sum(deceased), 0)::BIGINT AS deceased,
           coalesce(sum(removed), 0)::BIGINT AS removed,
           coalesce(sum(working_away) FILTER (WHERE $by_month OR is_latest), 0)::BIGINT AS working_away
    FROM flows
    GROUP BY 1, 2, 3
)
SELECT g.commune_code, c.commune_name, g.branch_code, b.branch_name, g.period,
       g.reported_months, g.reported_months > 0 AS reported,
       if_reported(g.reported_months, g.sources_trained) AS sources_trained,
       if_reported(g.reported_months, g.admitted) AS admitted,
       if_reported(g.reported_months, g.confirmed_official) AS confirmed_official,
       if_reported(g.reported_months, g.transferred_in) AS transferred_in,
       if_reported(g.reported_months, g.transferred_out) AS transferred_out,
       if_reported(g.reported_months, g.deceased) AS deceased,
       if_reported(g.reported_months, g.removed) AS removed,
       if_reported(g.reported_months, net_change(g.admitted, g.transferred_in, g.transferred_out,
                                                 g.deceased, g.removed)) AS net_change,
       if_reported(g.reported_months, g.working_away) AS working_away
FROM grouped AS g
LEFT JOIN units_commune AS c ON c.commune_code = g.commune_code
LEFT JOIN units_branch AS b ON b.branch_code = g.branch_code
ORDER BY c.commune_name, g.commune_code, b.branch_name, g.branch_code, g.period
