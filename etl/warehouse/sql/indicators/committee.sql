-- Committee meetings: I1, I2, I3, I4 (DOMAIN.md).
-- Grain: one row per commune x month at the finest; $by_commune / $by_month choose the keys,
-- a key not chosen is NULL (both false = one row for all communes in scope).
-- Commune-months: communes active in the month (valid_from/valid_to overlap it) plus any
-- commune-month with a current report; a commune-month without one has NULL counts.
-- Parameters: $first, $last ('YYYY-MM'), $communes (VARCHAR[], empty = all),
-- $by_commune, $by_month (BOOLEAN), $tasks_deadline_day (INTEGER).
WITH commune_months AS (
    SELECT coalesce(a.commune_code, r.commune_code) AS commune_code,
           coalesce(a.period, r.period) AS period,
           a.commune_code IS NOT NULL AS expected,
           r.commune_code IS NOT NULL AS reported,
           r.tasks_sent_on
    FROM active_communes($first, $last, $communes) AS a
    FULL JOIN current_reports_in($first, $last, $communes) AS r
      ON a.commune_code = r.commune_code AND a.period = r.period
),
meeting_months AS (
    -- delays: issued conclusions with an issue date only (I3); kept as a list so the median
    -- can be taken over all meetings of any grouping, not as a median of medians.
    SELECT commune_code, period,
           count(*) AS meetings,
           count(*) FILTER (WHERE conclusion_issued) AS with_conclusion,
           coalesce(bool_or(body = 'BCH' AND regular), false) AS regular_bch,
           list(conclusion_date - meeting_date)
               FILTER (WHERE conclusion_issued AND conclusion_date IS NOT NULL) AS delays
    FROM committee_meetings
    WHERE period BETWEEN $first AND $last
    GROUP BY commune_code, period
),
enriched AS (
    SELECT cm.*, mm.meetings, mm.with_conclusion, mm.regular_bch, mm.delays,
           -- the 30th, or the month's last day when the month is shorter (February)
           make_date(year(m.month_start), month(m.month_start),
                     least($tasks_deadline_day, day(m.month_end))) AS tasks_deadline
    FROM commune_months AS cm
    JOIN scope_months($first, $last) AS m USING (period)
    LEFT JOIN meeting_months AS mm USING (commune_code, period)
),
grouped AS (
    SELECT CASE WHEN $by_commune THEN commune_code END AS commune_code,
           CASE WHEN $by_month THEN period END AS period,
           count(*) FILTER (WHERE expected) AS expected_months,
           count(*) FILTER (WHERE reported) AS reported_months,
           count(*) FILTER (WHERE reported AND regular_bch) AS n_regular_bch,
           coalesce(sum(meetings) FILTER (WHERE reported), 0)::BIGINT AS n_meetings,
           coalesce(sum(with_conclusion) FILTER (WHERE reported), 0)::BIGINT AS n_with_conclusion,
           coalesce(len(flatten(list(delays) FILTER (WHERE reported))), 0) AS n_dated,
           list_median(flatten(list(delays) FILTER (WHERE reported))) AS median_days,
           count(*) FILTER (WHERE reported AND tasks_sent_on IS NOT NULL) AS n_tasks_dated,
           count(*) FILTER (WHERE reported AND tasks_sent_on <= tasks_deadline) AS n_tasks_on_time,
           count(*) FILTER (WHERE reported AND tasks_sent_on IS NULL) AS n_tasks_undated
    FROM enriched
    GROUP BY 1, 2
)
SELECT g.commune_code, c.commune_name, g.period,
       g.expected_months, g.reported_months, g.reported_months > 0 AS reported,
       if_reported(g.reported_months, g.n_regular_bch) AS months_with_regular_bch,
       g.n_regular_bch / nullif(g.reported_months, 0) AS i1_regular_bch_share,
       if_reported(g.reported_months, g.n_meetings) AS meetings,
       if_reported(g.reported_months, g.n_with_conclusion) AS meetings_with_conclusion,
       g.n_with_conclusion / nullif(g.n_meetings, 0) AS i2_conclusion_share,
       if_reported(g.reported_months, g.n_dated) AS conclusions_dated,
       g.median_days::DOUBLE AS i3_median_days,
       if_reported(g.reported_months, g.n_tasks_dated) AS months_with_tasks_date,
       if_reported(g.reported_months, g.n_tasks_on_time) AS months_tasks_on_time,
       if_reported(g.reported_months, g.n_tasks_undated) AS months_without_tasks_date,
       g.n_tasks_on_time / nullif(g.n_tasks_dated, 0) AS i4_tasks_on_time_share
FROM grouped AS g
LEFT JOIN units_commune AS c ON c.commune_code = g.commune_code
ORDER BY c.commune_name, g.commune_code, g.period
