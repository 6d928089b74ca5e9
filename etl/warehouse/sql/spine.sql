-- The scope spine: the months of a period and the units active in each of them, written once
-- for every indicator query (sql/indicators/*.sql start from these, as dbt models start from
-- ref()). DOMAIN.md: "expected" counts only units active in the month, i.e. whose validity
-- (valid_from/valid_to, either NULL = open-ended) overlaps the month.
-- Table macros are bound when created: db.install_spine runs this file after the views it reads.
-- A scope's parameters: first_period, last_period ('YYYY-MM', inclusive); communes, kinds
-- (VARCHAR[]: commune codes / units_branch.kind values, empty = all).

-- Is `value` among `wanted`, an empty list meaning every value?
CREATE OR REPLACE MACRO in_scope(wanted, value) AS len(wanted) = 0 OR list_contains(wanted, value);

-- Does a unit's validity overlap the days day_from..day_to?
CREATE OR REPLACE MACRO valid_between(valid_from, valid_to, day_from, day_to) AS
    (valid_from IS NULL OR valid_from <= day_to) AND (valid_to IS NULL OR valid_to >= day_from);

-- The first and the last day of a month 'YYYY-MM'.
CREATE OR REPLACE MACRO period_start(period) AS strptime(period, '%Y-%m')::DATE;
CREATE OR REPLACE MACRO period_end(period) AS last_day(strptime(period, '%Y-%m')::DATE);

-- The members expected at a branch meeting (DOMAIN I7): its members less those exempt, never
-- below 0; the denominator of every attendance share.
CREATE OR REPLACE MACRO members_expected(members_total, members_exempt) AS
    greatest(members_total - coalesce(members_exempt, 0), 0);

-- A group's count when nothing in it was reported (n_reported = 0): NULL, which pages and exports
-- show as "Chưa báo cáo", never 0 (DOMAIN: a missing report is a gap, not a zero).
CREATE OR REPLACE MACRO if_reported(n_reported, value) AS CASE WHEN n_reported > 0 THEN value END;

-- A branch's net change in members (DOMAIN I13): admitted + transferred in - transferred out -
-- deceased - removed, a blank counting 0; what a members_total must move by (the balance rule).
CREATE OR REPLACE MACRO net_change(admitted, transferred_in, transferred_out, deceased, removed) AS
    coalesce(admitted, 0) + coalesce(transferred_in, 0) - coalesce(transferred_out, 0)
        - coalesce(deceased, 0) - coalesce(removed, 0);

-- Grain: one row per month of the period.
CREATE OR REPLACE MACRO scope_months(first_period, last_period) AS TABLE
SELECT strftime(m, '%Y-%m') AS period, m::DATE AS month_start, last_day(m::DATE) AS month_end,
       year(m) AS year, month(m) AS month_number, strftime(m, '%Y') || '-Q' || quarter(m) AS quarter
FROM generate_series(period_start(first_period), period_start(last_period), INTERVAL 1 MONTH) AS g(m);

-- Grain: one row per commune x month of the period in which the commune is active.
CREATE OR REPLACE MACRO active_communes(first_period, last_period, communes) AS TABLE
SELECT c.commune_code, m.period, m.month_start, m.month_end, m.year
FROM units_commune AS c
JOIN scope_months(first_period, last_period) AS m
  ON valid_between(c.valid_from, c.valid_to, m.month_start, m.month_end)
WHERE in_scope(communes, c.commune_code);

-- Grain: one row per branch x month of the period in which the branch is active.
CREATE OR REPLACE MACRO active_branches(first_period, last_period, communes, kinds) AS TABLE
SELECT b.commune_code, b.branch_code, m.period
FROM units_branch AS b
JOIN scope_months(first_period, last_period) AS m
  ON valid_between(b.valid_from, b.valid_to, m.month_start, m.month_end)
WHERE in_scope(communes, b.commune_code) AND in_scope(kinds, b.kind);

-- Grain: one row per commune x month with a current report in the period.
CREATE OR REPLACE MACRO current_reports_in(first_period, last_period, communes) AS TABLE
SELECT commune_code, period, tasks_sent_on
FROM report_submissions
WHERE is_current AND period BETWEEN first_period AND last_period AND in_scope(communes, commune_code);

-- Grain: one row per branch x month that a current report lists in the period (SPEC §5
-- branch_meetings), of the scope's communes and branch kinds (a branch unknown to the
-- registry has no kind: it is in scope only when no kind is chosen).
CREATE OR REPLACE MACRO reported_branch_months(first_period, last_period, communes, kinds) AS TABLE
SELECT r.*
FROM branch_meetings AS r
LEFT JOIN units_branch AS b ON b.branch_code = r.branch_code
WHERE r.period BETWEEN first_period AND last_period
  AND in_scope(communes, r.commune_code) AND in_scope(kinds, b.kind);

-- Grain: one row per branch x month of the period that is expected (the branch is active in
-- the month) or reported (a current report lists it), with what the report says (NULL when not
-- reported): the branch-months every branch indicator counts.
CREATE OR REPLACE MACRO expected_or_reported_branch_months(first_period, last_period, communes, kinds) AS TABLE
SELECT coalesce(r.commune_code, a.commune_code) AS commune_code,
       coalesce(r.branch_code, a.branch_code) AS branch_code,
       coalesce(r.period, a.period) AS period,
       a.period IS NOT NULL AS expected,
       r.period IS NOT NULL AS reported,
       r.* EXCLUDE (commune_code, branch_code, period)
FROM active_branches(first_period, last_period, communes, kinds) AS a
FULL JOIN reported_branch_months(first_period, last_period, communes, kinds) AS r
  ON a.branch_code = r.branch_code AND a.period = r.period;

-- A finding overdue on as_of: due before that day and not resolved on or before it (a finding
-- resolved later was still overdue on that day; one marked resolved without a date is not).
CREATE OR REPLACE MACRO is_overdue(due_date, status, resolved_on, as_of) AS
    due_date < as_of AND NOT (status = 'resolved' AND coalesce(resolved_on <= as_of, true));

-- Grain: one row per finding of the current inspection register (SPEC §5 inspection_findings)
-- whose inspection is dated within the period (undated ones always), of the scope's communes.
CREATE OR REPLACE MACRO findings_in_scope(first_period, last_period, communes) AS TABLE
SELECT f.*
FROM inspection_findings AS f
WHERE (f.inspected_on IS NULL OR f.inspected_on BETWEEN period_start(first_period) AND period_end(last_period))
  AND in_scope(communes, f.commune_code);
