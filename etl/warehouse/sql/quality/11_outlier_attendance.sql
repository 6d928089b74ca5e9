-- Rule outlier, attendance (DOMAIN.md): a branch's attendance share far below its own history.
-- Grain: one row per flagged branch x month of first_period .. last_period (of the communes
-- asked, empty = all).
-- Share = attended / (total - exempt) of a held meeting; history = the branch's 12 reported
-- shares before this one, at least 6 of them. Modified z-score (Iglewicz-Hoaglin)
-- 0.6745 (x - median) / MAD, MAD floored at 0.05; only drops count: flag below -3.5.
-- expected is the history's median.
-- Cost: the shares of the months asked and the 12 before first_period are numbered in order
-- with their history's highest (a cheap window); the median and MAD are computed only for the
-- shares more than 0.25 below that highest, the only ones that can score below -3.5 (the
-- median is at most the highest, and 3.5 x 0.05 / 0.6745 = 0.26).
CREATE OR REPLACE MACRO flags_outlier_attendance(first_period, last_period, communes) AS TABLE
WITH shares AS (
    SELECT commune_code, branch_code, period, load_id, row_no,
           members_attended / members_expected(members_total, members_exempt) AS share
    FROM current_branch_rows('0000-01', last_period, communes)
    WHERE held AND members_attended IS NOT NULL AND members_expected(members_total, members_exempt) > 0
),
oldest AS (  -- each branch's 12th share before first_period: the oldest its scores read
    SELECT branch_code, list_min(max(period, 12)) AS since
    FROM shares WHERE period < first_period GROUP BY branch_code
),
numbered AS (  -- k: the share's place in the branch's order; history: the 12 before it
    SELECT s.branch_code, s.period, s.share, row_number() OVER by_month AS k,
           max(s.share) OVER (by_month ROWS BETWEEN 12 PRECEDING AND 1 PRECEDING) AS highest
    FROM shares AS s LEFT JOIN oldest USING (branch_code)
    WHERE s.period >= coalesce(oldest.since, first_period)
    WINDOW by_month AS (PARTITION BY s.branch_code ORDER BY s.period)
),
scored AS (
    SELECT c.branch_code, c.period, least(c.k - 1, 12) AS months, median(h.share) AS med,
           mad(h.share) AS spread, arg_max(h.period, h.k) AS previous_period,
           arg_max(h.share, h.k) AS previous_value
    FROM numbered AS c
    JOIN numbered AS h ON h.branch_code = c.branch_code AND h.k BETWEEN c.k - 12 AND c.k - 1
    WHERE c.period >= first_period AND c.k > 6 AND c.share < c.highest - 0.25
    GROUP BY ALL
)
SELECT s.commune_code, s.branch_code, s.period, 'outlier' AS rule, 'attendance_share' AS field,
       s.share AS value, c.med AS expected, c.previous_period, c.previous_value, s.load_id,
       'branch_meetings' AS form, s.row_no,
       'Tỷ lệ đảng viên dự sinh hoạt ' || vn_percent(s.share) || ', thấp bất thường so với '
           || c.months || ' tháng trước (thường ' || vn_percent(c.med)
           || '). Hãy kiểm tra số đảng viên dự và tổng số đảng viên.' AS message
FROM scored AS c
JOIN shares AS s USING (branch_code, period)
WHERE 0.6745 * (s.share - c.med) / greatest(c.spread, 0.05) < -3.5;
