-- Every loaded version of one commune's report for one month (I15 drill-down).
-- Grain: one row per version, oldest first. confirmed (and confirmed_at/_by) marks the current
-- version while the board's confirmation of it is in force (view report_confirmations).
-- Parameters: $commune (VARCHAR), $period ('YYYY-MM').
SELECT s.commune_code, s.period, s.version, s.is_current, s.received_at, s.tasks_sent_on, s.source_file,
       s.sha256,
       coalesce(s.is_current AND rc.confirmed, false) AS confirmed,
       CASE WHEN s.is_current AND rc.confirmed THEN rc.confirmed_at END AS confirmed_at,
       CASE WHEN s.is_current AND rc.confirmed THEN rc.confirmed_by END AS confirmed_by
FROM report_submissions AS s
LEFT JOIN report_confirmations AS rc ON rc.commune_code = s.commune_code AND rc.period = s.period
WHERE s.commune_code = $commune AND s.period = $period
ORDER BY s.version
