-- Text and dates of branch meetings for the export's per-commune sheets: the meeting date,
-- the thematic flag and topic, and the quality label, which no indicator returns. No figures:
-- held, attendance and shares come from etl.indicators.branch_meetings / quality.
-- Grain: one row per branch x month of a current report, in the scope.
-- Parameters: $first, $last ('YYYY-MM'), $communes (VARCHAR[], empty = all).
SELECT commune_code, branch_code, period, meeting_date, thematic, thematic_topic, quality
FROM branch_meetings
WHERE period BETWEEN $first AND $last
  AND (len($communes) = 0 OR list_contains($communes, commune_code))
ORDER BY commune_code, branch_code, period
