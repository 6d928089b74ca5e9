-- Shared pieces of the data-quality rules (DOMAIN.md "Data quality across months"); the rules
-- are table macros over the SPEC §5 tables' current versions and the spine (sql/spine.sql),
-- installed after it by db.install_quality, one rule per file, then the view that unites them.

-- The month before 'YYYY-MM', as 'YYYY-MM'.
CREATE OR REPLACE MACRO month_before(period) AS
    strftime(period_start(period) - INTERVAL 1 MONTH, '%Y-%m');

-- A zero-based column index as Excel letters (0 -> A, 25 -> Z, 26 -> AA, 702 -> AAA).
CREATE OR REPLACE MACRO column_letters(col) AS
    CASE WHEN col < 26 THEN chr(65 + col)
         WHEN col < 702 THEN chr(64 + col // 26) || chr(65 + col % 26)
         ELSE chr(64 + (col // 26 - 1) // 26) || chr(65 + (col // 26 - 1) % 26) || chr(65 + col % 26) END;

-- Numbers in messages as etl/vnformat.py writes them (tests compare the two): 1.234 and 85,3%.
CREATE OR REPLACE MACRO vn_int(x) AS
    CASE WHEN x < 0 THEN '-' ELSE '' END || replace(format('{:,}', abs(x)::BIGINT), ',', '.');
CREATE OR REPLACE MACRO vn_percent(share) AS
    replace(printf('%.1f', round(share * 100, 1)), '.', ',') || '%';
-- A change with its sign: +2, -5, 0.
CREATE OR REPLACE MACRO vn_signed(x) AS CASE WHEN x > 0 THEN '+' ELSE '' END || vn_int(x);
-- 'YYYY-MM' as people write a month: 03/2024.
CREATE OR REPLACE MACRO vn_month(period) AS substr(period, 6, 2) || '/' || substr(period, 1, 4);

-- Grain: one row per branch x month of a current report (its sheet 2 row), with the report
-- version (load_id) and the row it was read from (row_no), of the communes asked (empty = all).
CREATE OR REPLACE MACRO current_branch_rows(communes) AS TABLE
SELECT l.commune_code, r.branch_code, l.period, l.load_id, r.row_no, r.held, r.members_total,
       r.members_exempt, r.members_attended, r.quality
FROM branch_meeting_rows AS r
JOIN current_reports AS l USING (load_id)
WHERE in_scope(communes, l.commune_code);

-- Grain: one row per branch x month that a current report's sheet 3 lists: its net change in
-- members (spine.sql net_change).
CREATE OR REPLACE MACRO current_member_changes(communes) AS TABLE
SELECT l.commune_code, r.branch_code, l.period,
       net_change(r.admitted, r.transferred_in, r.transferred_out, r.deceased, r.removed) AS net_change
FROM recruitment_rows AS r
JOIN current_reports AS l USING (load_id)
WHERE in_scope(communes, l.commune_code);
