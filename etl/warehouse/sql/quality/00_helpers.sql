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

-- Months counted from year 0 (2024-03 -> 2024 x 12 + 3): consecutive months differ by 1. Read
-- from the text, as it is cheaper than a date per row.
CREATE OR REPLACE MACRO month_index(period) AS
    CAST(substr(period, 1, 4) AS INTEGER) * 12 + CAST(substr(period, 6, 2) AS INTEGER);

-- A rule's parameters: first_period, last_period ('YYYY-MM', inclusive): the months whose flags
-- it returns (a rule reads the months before them it needs); communes (VARCHAR[], empty = all).

-- Grain: one row per branch x month of a current report (its sheet 2 row) in first_period ..
-- last_period, with the report version (load_id) and the row it was read from (row_no).
CREATE OR REPLACE MACRO current_branch_rows(first_period, last_period, communes) AS TABLE
SELECT l.commune_code, r.branch_code, l.period, l.load_id, r.row_no, r.held, r.members_total,
       r.members_exempt, r.members_attended, r.quality
FROM branch_meeting_rows AS r
JOIN current_reports AS l USING (load_id)
WHERE l.period BETWEEN first_period AND last_period AND in_scope(communes, l.commune_code);

-- Grain: one row per branch x month that a current report's sheet 3 lists in first_period ..
-- last_period: its net change in members (spine.sql net_change).
CREATE OR REPLACE MACRO current_member_changes(first_period, last_period, communes) AS TABLE
SELECT l.commune_code, r.branch_code, l.period,
       net_change(r.admitted, r.transferred_in, r.transferred_out, r.deceased, r.removed) AS net_change
FROM recruitment_rows AS r
JOIN current_reports AS l USING (load_id)
WHERE l.period BETWEEN first_period AND last_period AND in_scope(communes, l.commune_code);

-- Grain: one row per branch x month of a current report in first_period .. last_period (sheet 2)
-- with, when the month before is in a current report too, that month's row (previous_period,
-- previous_*; all NULL otherwise), for the rules that compare a month with the one before. The
-- month before is found by month_index, an integer key of a hash join (twice as fast as a
-- window over each branch's months).
CREATE OR REPLACE MACRO branch_month_pairs(first_period, last_period, communes) AS TABLE
WITH months AS (
    SELECT *, month_index(period) AS m
    FROM current_branch_rows(month_before(first_period), last_period, communes)
)
SELECT cur.commune_code, cur.branch_code, cur.period, cur.load_id, cur.row_no, cur.held,
       cur.members_total, cur.members_attended, cur.quality,
       prev.branch_code IS NOT NULL AS consecutive, prev.period AS previous_period,
       prev.held AS previous_held, prev.members_total AS previous_total,
       prev.members_attended AS previous_attended, prev.quality AS previous_quality
FROM months AS cur
LEFT JOIN months AS prev ON prev.branch_code = cur.branch_code AND prev.m = cur.m - 1
WHERE cur.period >= first_period;
