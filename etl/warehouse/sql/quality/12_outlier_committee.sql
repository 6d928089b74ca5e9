-- Rule outlier, committee size (DOMAIN.md): the commune committee's members_total far from its
-- own history, in either direction.
-- Grain: one row per flagged commune x month of first_period .. last_period (branch_code NULL).
-- A month's size is the largest members_total of its Ban Chấp hành (BCH) meetings; history =
-- the commune's 12 reported sizes before this one, at least 6 of them. Score 0.6745 (x -
-- median) / MAD; when MAD is 0, (x - median) / (1.253314 x mean absolute deviation from the
-- mean); when that is 0 too (a constant history) the month is skipped. Flag |score| > 3.5.
CREATE OR REPLACE MACRO flags_outlier_committee(first_period, last_period, communes) AS TABLE
WITH sizes AS (
    SELECT l.commune_code, l.period, l.load_id, max(r.members_total) AS size,
           arg_max(r.row_no, r.members_total) AS row_no
    FROM committee_meeting_rows AS r
    JOIN current_reports AS l USING (load_id)
    WHERE r.body = 'BCH' AND r.members_total IS NOT NULL AND in_scope(communes, l.commune_code)
      AND l.period <= last_period
    GROUP BY ALL
),
numbered AS (
    SELECT *, row_number() OVER by_month AS k, lag(period) OVER by_month AS previous_period,
           lag(size) OVER by_month AS previous_value
    FROM sizes
    WINDOW by_month AS (PARTITION BY commune_code ORDER BY period)
),
history AS (
    SELECT cur.commune_code, cur.period, h.size
    FROM numbered AS cur
    JOIN numbered AS h ON h.commune_code = cur.commune_code AND h.k BETWEEN cur.k - 12 AND cur.k - 1
    WHERE cur.period >= first_period
),
stats AS (
    SELECT commune_code, period, count(*) AS months, median(size) AS med, mad(size) AS spread,
           avg(size) AS mean
    FROM history GROUP BY ALL
),
mean_dev AS (
    SELECT h.commune_code, h.period, avg(abs(h.size - s.mean)) AS mean_dev
    FROM history AS h JOIN stats AS s USING (commune_code, period) GROUP BY ALL
),
scored AS (
    SELECT n.*, s.months, s.med,
           CASE WHEN s.spread > 0 THEN 0.6745 * (n.size - s.med) / s.spread
                WHEN d.mean_dev > 0 THEN (n.size - s.med) / (1.253314 * d.mean_dev) END AS score
    FROM numbered AS n
    JOIN stats AS s USING (commune_code, period)
    JOIN mean_dev AS d USING (commune_code, period)
)
SELECT commune_code, NULL::VARCHAR AS branch_code, period, 'outlier' AS rule,
       'committee_members_total' AS field, size::DOUBLE AS value, med::DOUBLE AS expected,
       previous_period, previous_value::DOUBLE AS previous_value, load_id,
       'committee_meetings' AS form, row_no,
       'Số ủy viên Ban Chấp hành ' || vn_int(size) || ', khác hẳn ' || months
           || ' tháng trước (thường ' || vn_int(med) || '). Hãy kiểm tra ô số ủy viên.' AS message
FROM scored
WHERE months >= 6 AND abs(score) > 3.5;
