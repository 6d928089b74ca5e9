-- Months with at least one current commune report.
-- Grain: one row per period ('YYYY-MM'), oldest first, with the number of communes reported.
SELECT period, count(DISTINCT commune_code) AS communes_reported
FROM report_submissions
WHERE is_current
GROUP BY period
ORDER BY period
