-- Thematic meetings: I8 (DOMAIN.md), per quarter.
-- Grain: one row per branch x quarter at the finest; $by_branch / $by_commune choose the keys
-- (by_branch implies the commune key), the quarter ('YYYY-Qn') is always a key.
-- Only the scope's months count: a quarter cut by the scope says so in months_in_scope (1..3).
-- A branch is reported in a quarter when it has a row in a current report of one of its months;
-- expected when active (valid_from/valid_to) in at least one of them.
-- Parameters: $first, $last ('YYYY-MM'), $communes, $kinds (VARCHAR[], empty = all),
-- $by_commune, $by_branch (BOOLEAN).
WITH months AS (
    SELECT period, quarter FROM scope_months($first, $last)
),
quarters AS (
    SELECT quarter, count(*) AS months_in_scope FROM months GROUP BY quarter
),
branch_quarters AS (
    SELECT bm.commune_code, bm.branch_code, m.quarter,
           bool_or(bm.expected) AS expected,
           bool_or(bm.reported) AS reported,
           count(*) FILTER (WHERE bm.thematic) AS thematic_meetings
    FROM expected_or_reported_branch_months($first, $last, $communes, $kinds) AS bm
    JOIN months AS m ON m.period = bm.period
    GROUP BY 1, 2, 3
),
grouped AS (
    SELECT CASE WHEN $by_commune OR $by_branch THEN commune_code END AS commune_code,
           CASE WHEN $by_branch THEN branch_code END AS branch_code,
           quarter,
           count(*) FILTER (WHERE expected) AS branches_expected,
           count(*) FILTER (WHERE reported) AS branches_reported,
           count(*) FILTER (WHERE reported AND thematic_meetings > 0) AS n_with_thematic,
           sum(thematic_meetings)::BIGINT AS n_thematic_meetings
    FROM branch_quarters
    GROUP BY 1, 2, 3
)
SELECT g.commune_code, c.commune_name, g.branch_code, b.branch_name, b.kind AS branch_kind,
       g.quarter, q.months_in_scope,
       g.branches_expected, g.branches_reported, g.branches_reported > 0 AS reported,
       if_reported(g.branches_reported, g.n_with_thematic) AS branches_with_thematic,
       if_reported(g.branches_reported, g.n_thematic_meetings) AS thematic_meetings,
       g.n_with_thematic / nullif(g.branches_reported, 0) AS i8_thematic_share
FROM grouped AS g
JOIN quarters AS q USING (quarter)
LEFT JOIN units_commune AS c ON c.commune_code = g.commune_code
LEFT JOIN units_branch AS b ON b.branch_code = g.branch_code
ORDER BY c.commune_name, g.commune_code, b.branch_name, g.branch_code, g.quarter
