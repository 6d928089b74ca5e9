-- The data-quality flags (DOMAIN.md "Data quality across months"): every rule's flags, over the
-- current report versions, with the cell to open and the board's verification.
-- Grain: one row per flag: (commune, branch or NULL for a commune-level rule, month, rule, field).
-- sheet and cell point into the flagged month's current report (cell NULL for a commune-level
-- rule, and both NULL for a report loaded before the warehouse kept its columns). verified: the
-- board marked this flag on this report version (a newer version brings the flag back).
-- quality_flags(first_period, last_period, communes): the flags of those months ('YYYY-MM',
-- inclusive) and communes (empty = all). Each rule evaluates those months only, reading the
-- months before them that its comparison needs (the month before; the attendance rule's 12
-- shares before first_period), so a year's flags cost a year's rows, not the warehouse's.
CREATE OR REPLACE MACRO quality_flags(first_period, last_period, communes) AS TABLE
WITH flags AS (
    SELECT * FROM flags_members_unexplained_change(first_period, last_period, communes)
    UNION ALL SELECT * FROM flags_outlier_attendance(first_period, last_period, communes)
    UNION ALL SELECT * FROM flags_outlier_committee(first_period, last_period, communes)
    UNION ALL SELECT * FROM flags_copied_report(first_period, last_period, communes)
    UNION ALL SELECT * FROM flags_branch_count_change(first_period, last_period, communes)
)
SELECT f.commune_code, f.branch_code, f.period, f.rule, f.field, f.value, f.expected,
       f.previous_period, f.previous_value, l.source_file, c.sheet,
       CASE WHEN f.row_no IS NOT NULL AND c.col IS NOT NULL THEN column_letters(c.col) || f.row_no END AS cell,
       f.message,
       EXISTS (SELECT 1 FROM quality_verifications AS v
               WHERE v.load_id = f.load_id AND v.commune_code = f.commune_code
                 AND v.branch_code IS NOT DISTINCT FROM f.branch_code AND v.period = f.period
                 AND v.rule = f.rule AND v.field IS NOT DISTINCT FROM f.field) AS verified,
       f.load_id
FROM flags AS f
JOIN loads AS l USING (load_id)
LEFT JOIN load_columns AS c
  ON c.load_id = f.load_id AND c.form = f.form
 AND c.field = CASE f.field WHEN 'attendance_share' THEN 'members_attended'
                            WHEN 'committee_members_total' THEN 'members_total'
                            WHEN 'branch_meetings' THEN 'branch_name'
                            ELSE f.field END;

-- SPEC §5: every flag of every month and commune.
CREATE OR REPLACE VIEW data_quality_flags AS
SELECT commune_code, branch_code, period, rule, field, value, expected, previous_period,
       previous_value, source_file, sheet, cell, message, verified
FROM quality_flags('0000-01', '9999-12', []);
