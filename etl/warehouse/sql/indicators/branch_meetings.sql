-- Branch meetings: I5, I6, I7, I9 and meeting quality I10 (DOMAIN.md).
-- Grain: one row per branch x month at the finest; $by_branch / $by_commune / $by_month choose
-- the keys (by_branch implies the commune key), a key not chosen is NULL.
-- Branch-months: branches active in the month (valid_from/valid_to overlap it) plus any branch
-- row of a current report; "reported" = the branch has a row in its commune's current report.
-- Held-meeting figures are NULL when nothing was reported in the group, never 0.
-- I5 by branch (the issue's model sentence "128/134 chi bộ sinh hoạt thường kỳ đầy đủ"):
-- branches_reported = branches with a row in at least one month of the group; branches_held_all
-- = those of them that held their regular meeting in every month they were reported;
-- i5_branch_share = the second over the first. (At the branch x month grain it is that month.)
-- On schedule (I6): held and dated in the reported month between $schedule_first_day and
-- $schedule_last_day; a date in another month is not on schedule.
-- Parameters: $first, $last ('YYYY-MM'), $communes, $kinds (VARCHAR[], empty = all),
-- $by_commune, $by_branch, $by_month (BOOLEAN), $schedule_first_day, $schedule_last_day.
WITH branch_months AS (
    SELECT commune_code, branch_code, period, expected, reported,
           coalesce(held, false) AS held,
           meeting_date, members_attended, upper_attended, quality,
           members_expected(members_total, members_exempt) AS members_active
    FROM expected_or_reported_branch_months($first, $last, $communes, $kinds)
),
per_branch AS (
    -- one row per branch (per month too when the grain has months): months reported, held
    SELECT commune_code, branch_code, CASE WHEN $by_month THEN period END AS period,
           count(*) FILTER (WHERE reported) AS months_reported,
           count(*) FILTER (WHERE held) AS months_held
    FROM branch_months
    GROUP BY 1, 2, 3
),
branch_counts AS (
    SELECT CASE WHEN $by_commune OR $by_branch THEN commune_code END AS commune_code,
           CASE WHEN $by_branch THEN branch_code END AS branch_code,
           period,
           count(*) FILTER (WHERE months_reported > 0) AS n_branches_reported,
           count(*) FILTER (WHERE months_reported > 0 AND months_held = months_reported)
               AS n_branches_held_all
    FROM per_branch
    GROUP BY 1, 2, 3
),
grouped AS (
    SELECT CASE WHEN $by_commune OR $by_branch THEN commune_code END AS commune_code,
           CASE WHEN $by_branch THEN branch_code END AS branch_code,
           CASE WHEN $by_month THEN period END AS period,
           count(*) FILTER (WHERE expected) AS expected_branch_months,
           count(*) FILTER (WHERE reported) AS reported_branch_months,
           count(*) FILTER (WHERE held) AS n_held,
           count(*) FILTER (WHERE held AND strftime(meeting_date, '%Y-%m') = period
               AND day(meeting_date) BETWEEN $schedule_first_day AND $schedule_last_day)
               AS n_on_schedule,
           coalesce(sum(members_attended) FILTER (WHERE held), 0)::BIGINT AS n_attended,
           coalesce(sum(members_active) FILTER (WHERE held), 0)::BIGINT AS n_active,
           count(*) FILTER (WHERE held AND upper_attended) AS n_upper,
           count(*) FILTER (WHERE held AND quality IS NOT NULL) AS n_rated,
           count(*) FILTER (WHERE held AND quality = 'tot') AS n_tot,
           count(*) FILTER (WHERE held AND quality = 'kha') AS n_kha,
           count(*) FILTER (WHERE held AND quality = 'trung_binh') AS n_trung_binh,
           count(*) FILTER (WHERE held AND quality = 'kem') AS n_kem
    FROM branch_months
    GROUP BY 1, 2, 3
)
SELECT g.commune_code, c.commune_name, g.branch_code, b.branch_name, b.kind AS branch_kind,
       g.period,
       g.expected_branch_months, g.reported_branch_months,
       g.reported_branch_months > 0 AS reported,
       if_reported(g.reported_branch_months, g.n_held) AS held,
       g.n_held / nullif(g.reported_branch_months, 0) AS i5_held_share,
       bc.n_branches_reported AS branches_reported,
       if_reported(g.reported_branch_months, bc.n_branches_held_all) AS branches_held_all,
       bc.n_branches_held_all / nullif(bc.n_branches_reported, 0) AS i5_branch_share,
       if_reported(g.reported_branch_months, g.n_on_schedule) AS on_schedule,
       g.n_on_schedule / nullif(g.n_held, 0) AS i6_on_schedule_share,
       if_reported(g.reported_branch_months, g.n_attended) AS members_attended,
       if_reported(g.reported_branch_months, g.n_active) AS members_expected,
       g.n_attended / nullif(g.n_active, 0) AS i7_attendance_share,
       if_reported(g.reported_branch_months, g.n_upper) AS upper_attended,
       g.n_upper / nullif(g.n_held, 0) AS i9_upper_attended_share,
       if_reported(g.reported_branch_months, g.n_rated) AS rated,
       if_reported(g.reported_branch_months, g.n_tot) AS tot,
       if_reported(g.reported_branch_months, g.n_kha) AS kha,
       if_reported(g.reported_branch_months, g.n_trung_binh) AS trung_binh,
       if_reported(g.reported_branch_months, g.n_kem) AS kem,
       g.n_tot / nullif(g.n_rated, 0) AS tot_share,
       g.n_kha / nullif(g.n_rated, 0) AS kha_share,
       g.n_trung_binh / nullif(g.n_rated, 0) AS trung_binh_share,
       g.n_kem / nullif(g.n_rated, 0) AS kem_share,
       (g.n_tot + g.n_kha) / nullif(g.n_rated, 0) AS kha_tro_len_share
FROM grouped AS g
JOIN branch_counts AS bc
  ON bc.commune_code IS NOT DISTINCT FROM g.commune_code
 AND bc.branch_code IS NOT DISTINCT FROM g.branch_code
 AND bc.period IS NOT DISTINCT FROM g.period
LEFT JOIN units_commune AS c ON c.commune_code = g.commune_code
LEFT JOIN units_branch AS b ON b.branch_code = g.branch_code
ORDER BY c.commune_name, g.commune_code, b.branch_name, g.branch_code, g.period
