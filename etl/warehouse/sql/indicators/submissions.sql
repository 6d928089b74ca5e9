-- Report submissions: I15 (DOMAIN.md).
-- Grain: one row per commune x month at the finest; $by_commune / $by_month choose the keys.
-- Commune-months: communes active in the month plus any with a current report.
-- Deadline: day $deadline_day of the next month (its last day when shorter).
-- Timeliness uses the receipt of the FIRST version: that is the report the board waited for;
-- a later correction does not make an on-time report late, nor a late one on time.
-- Status of a commune-month: 'on_time' | 'late' (first version received after the deadline)
-- | 'missing' (no current report and the deadline has passed on $as_of) | 'pending' (no report
-- yet, deadline not passed). Counts and shares count expected (active) communes only, so the
-- share never passes 100 %; a report from a commune outside its validity shows as reported
-- but expected_months = 0.
-- Due: due_months counts the expected commune-months whose deadline has passed on $as_of, plus
-- those already reported before it (expected minus 'pending'); the *_due shares divide by it, so
-- a year in progress is not judged on months nobody owes yet. `due` is true when every month of
-- the group is past its deadline (at the month grain: the month is due).
-- Confirmed: the board has confirmed (duyệt) the commune-month's current report and not reopened
-- it (view report_confirmations, etl.confirm); confirmed_months counts expected ones.
-- Parameters: $first, $last ('YYYY-MM'), $communes (VARCHAR[]), $by_commune, $by_month,
-- $deadline_day (INTEGER), $as_of (DATE).
WITH versions AS (
    SELECT commune_code, period,
           bool_or(is_current) AS reported,
           count(*) AS versions,
           arg_min(received_at, version) AS first_received_at,
           max(received_at) FILTER (WHERE is_current) AS current_received_at
    FROM report_submissions
    WHERE period BETWEEN $first AND $last
      AND in_scope($communes, commune_code)
    GROUP BY commune_code, period
),
commune_months AS (
    SELECT coalesce(a.commune_code, v.commune_code) AS commune_code,
           coalesce(a.period, v.period) AS period,
           a.commune_code IS NOT NULL AS expected,
           coalesce(v.reported, false) AS reported,
           CASE WHEN v.reported THEN v.versions END AS versions,
           CASE WHEN v.reported THEN v.first_received_at END AS first_received_at,
           v.current_received_at,
           coalesce(v.reported AND rc.confirmed, false) AS confirmed,
           CASE WHEN v.reported AND rc.confirmed THEN rc.confirmed_at END AS confirmed_at,
           CASE WHEN v.reported AND rc.confirmed THEN rc.confirmed_by END AS confirmed_by
    FROM active_communes($first, $last, $communes) AS a FULL JOIN versions AS v
      ON a.commune_code = v.commune_code AND a.period = v.period
    LEFT JOIN report_confirmations AS rc
      ON rc.commune_code = coalesce(a.commune_code, v.commune_code)
     AND rc.period = coalesce(a.period, v.period)
    -- a commune-month whose only versions are not current (withdrawn) and that is not
    -- expected has nothing to show
    WHERE a.commune_code IS NOT NULL OR v.reported
),
statuses AS (
    SELECT cm.*, d.deadline,
           CASE WHEN cm.reported AND cm.first_received_at::DATE > d.deadline THEN 'late'
                WHEN cm.reported THEN 'on_time'
                WHEN $as_of::DATE > d.deadline THEN 'missing'
                ELSE 'pending' END AS status,
           CASE WHEN cm.reported AND cm.first_received_at::DATE > d.deadline
                THEN cm.first_received_at::DATE - d.deadline END AS days_late
    FROM commune_months AS cm
    JOIN (SELECT period,
                 make_date(year(month_end + 1), month(month_end + 1),
                           least($deadline_day, day(last_day(month_end + 1)))) AS deadline
          FROM scope_months($first, $last)) AS d USING (period)
),
grouped AS (
    SELECT CASE WHEN $by_commune THEN commune_code END AS commune_code,
           CASE WHEN $by_month THEN period END AS period,
           count(*) FILTER (WHERE expected) AS expected_months,
           count(*) FILTER (WHERE expected AND reported) AS reported_months,
           count(*) FILTER (WHERE expected AND status = 'on_time') AS on_time_months,
           count(*) FILTER (WHERE expected AND status = 'late') AS late_months,
           count(*) FILTER (WHERE expected AND status = 'missing') AS missing_months,
           count(*) FILTER (WHERE expected AND status = 'pending') AS pending_months,
           count(*) FILTER (WHERE expected AND status <> 'pending') AS due_months,
           bool_and($as_of::DATE > deadline) AS due,
           count(*) FILTER (WHERE expected AND confirmed) AS confirmed_months,
           bool_or(reported) AS any_reported,
           -- single-row values, meaningful at the commune x month grain only
           any_value(status) AS status, any_value(deadline) AS deadline,
           any_value(days_late) AS days_late, any_value(versions) AS versions,
           any_value(first_received_at) AS first_received_at,
           any_value(current_received_at) AS current_received_at,
           any_value(confirmed) AS confirmed, any_value(confirmed_at) AS confirmed_at,
           any_value(confirmed_by) AS confirmed_by
    FROM statuses
    GROUP BY 1, 2
)
SELECT g.commune_code, c.commune_name, g.period,
       g.expected_months, g.any_reported AS reported, g.reported_months, g.on_time_months,
       g.late_months, g.missing_months, g.pending_months, g.confirmed_months,
       g.reported_months / nullif(g.expected_months, 0) AS i15_reported_share,
       g.on_time_months / nullif(g.expected_months, 0) AS i15_on_time_share,
       g.due_months, g.due,
       g.reported_months / nullif(g.due_months, 0) AS i15_reported_share_due,
       g.on_time_months / nullif(g.due_months, 0) AS i15_on_time_share_due,
       g.status, g.deadline, g.first_received_at, g.current_received_at, g.versions, g.days_late,
       g.confirmed, g.confirmed_at, g.confirmed_by
FROM grouped AS g
LEFT JOIN units_commune AS c ON c.commune_code = g.commune_code
ORDER BY c.commune_name, g.commune_code, g.period
