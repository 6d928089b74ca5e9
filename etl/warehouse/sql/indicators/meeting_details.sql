-- Branch meeting details: what each branch reported for each month (the meeting's date,
-- attendance counts, thematic topic, quality), for the drill-down commune -> branch -> meeting
-- and the export's per-commune sheets. Raw reported values only: the shares (I5–I10) are
-- branch_meetings.sql's, at its branch_month grain.
-- Grain: one row per branch x month of the scope: branches active in the month
-- (valid_from/valid_to overlap it) plus any branch row of a current report.
-- "reported" = the branch has a row in its commune's current report of that month; an
-- unreported branch-month has reported = false and every reported value NULL (held too).
-- Parameters: $first, $last ('YYYY-MM'), $communes, $kinds (VARCHAR[], empty = all),
-- $commune (VARCHAR, NULL = every commune of the scope; else that one, within the scope).
WITH active AS (
    SELECT * FROM active_branches($first, $last, $communes, $kinds)
    WHERE $commune IS NULL OR commune_code = $commune
),
reported_rows AS (
    SELECT * FROM reported_branch_months($first, $last, $communes, $kinds)
    WHERE $commune IS NULL OR commune_code = $commune
)
SELECT coalesce(r.commune_code, a.commune_code) AS commune_code, c.commune_name,
       coalesce(r.branch_code, a.branch_code) AS branch_code, b.branch_name,
       b.kind AS branch_kind,
       coalesce(r.period, a.period) AS period,
       a.period IS NOT NULL AS expected,
       r.period IS NOT NULL AS reported,
       -- a blank "held" cell loads as false (SPEC §2); only a missing report is NULL
       CASE WHEN r.period IS NOT NULL THEN coalesce(r.held, false) END AS held,
       r.meeting_date, r.members_total, r.members_exempt, r.members_attended,
       r.thematic, r.thematic_topic, r.upper_attended, r.quality
FROM active AS a FULL JOIN reported_rows AS r
  ON a.branch_code = r.branch_code AND a.period = r.period
LEFT JOIN units_commune AS c ON c.commune_code = coalesce(r.commune_code, a.commune_code)
LEFT JOIN units_branch AS b ON b.branch_code = coalesce(r.branch_code, a.branch_code)
ORDER BY c.commune_name, commune_code, b.branch_name, branch_code, period
