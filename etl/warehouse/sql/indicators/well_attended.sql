-- Well-attended branch meetings: the share of held regular meetings attended by more than
-- $above of the members expected (members_total − members_exempt), seed 002 §6's "đảng viên
-- dự sinh hoạt đầy đủ". A held meeting with no member expected is not counted either way.
-- Grain: as branch_meetings.sql ($by_commune / $by_branch / $by_month choose the keys; a key not
-- chosen is NULL). Units with no report in the group are there with reported = false and NULL
-- figures, never 0.
-- Parameters: $first, $last ('YYYY-MM'), $communes, $kinds (VARCHAR[], empty = all),
-- $by_commune, $by_branch, $by_month (BOOLEAN), $above (a fraction, e.g. 0.9).
WITH branch_months AS (
    SELECT commune_code, branch_code, period, reported,
           coalesce(held, false) AND members_expected(members_total, members_exempt) > 0 AS counted,
           members_attended / nullif(members_expected(members_total, members_exempt), 0) AS share
    FROM expected_or_reported_branch_months($first, $last, $communes, $kinds)
),
grouped AS (
    SELECT CASE WHEN $by_commune OR $by_branch THEN commune_code END AS commune_code,
           CASE WHEN $by_branch THEN branch_code END AS branch_code,
           CASE WHEN $by_month THEN period END AS period,
           count(*) FILTER (WHERE reported) AS n_reported,
           count(*) FILTER (WHERE counted) AS n_counted,
           count(*) FILTER (WHERE counted AND share > $above) AS n_well
    FROM branch_months
    GROUP BY 1, 2, 3
)
SELECT g.commune_code, c.commune_name, g.branch_code, b.branch_name, b.kind AS branch_kind, g.period,
       g.n_reported > 0 AS reported,
       if_reported(g.n_reported, g.n_counted) AS meetings_counted,
       if_reported(g.n_reported, g.n_well) AS well_attended,
       g.n_well / nullif(g.n_counted, 0) AS well_attended_share
FROM grouped AS g
LEFT JOIN units_commune AS c ON c.commune_code = g.commune_code
LEFT JOIN units_branch AS b ON b.branch_code = g.branch_code
ORDER BY c.commune_name, g.commune_code, b.branch_name, g.branch_code, g.period
