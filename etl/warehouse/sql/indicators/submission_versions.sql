-- Every loaded version of one commune's report for one month (I15 drill-down).
-- Grain: one row per version, oldest first.
-- Parameters: $commune (VARCHAR), $period ('YYYY-MM').
SELECT commune_code, period, version, is_current, received_at, tasks_sent_on, source_file, sha256
FROM report_submissions
WHERE commune_code = $commune AND period = $period
ORDER BY version
