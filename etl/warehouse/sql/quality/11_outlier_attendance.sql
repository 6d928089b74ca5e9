-- Rule outlier, attendance (DOMAIN.md): a branch's attendance share far below its own history.
-- Grain: one row per flagged branch x month of first_period .. last_period (of the communes
-- asked, empty = all).
-- Share = attended / (total - exempt) of a held meeting; history = the branch's 12 reported
-- shares before this one, at least 6 of them. Modified z-score (Iglewicz-Hoaglin)
-- 0.6745 (x - median) / MAD, MAD floored at 0.05; only drops count: flag below -3.5.
-- expected is the history's median. The windows run over the months asked and the 12 shares
-- before first_period, the only history their scores read.
CREATE OR REPLACE MACRO flags_outlier_attendance(first_period, last_period, communes) AS TABLE
WITH shares AS (
    SELECT commune_code, branch_code, period, load_id, row_no,
           members_attended / members_expected(members_total, members_exempt) AS share
    FROM current_branch_rows('0000-01', last_period, communes)
    WHERE held AND members_attended IS NOT NULL AND members_expected(members_total, members_exempt) > 0
),
needed AS (
    SELECT * FROM shares WHERE period >= first_period
    UNION ALL
    (SELECT * FROM shares WHERE period < first_period
     QUALIFY row_number() OVER (PARTITION BY branch_code ORDER BY period DESC) <= 12)
),
scored AS (
    SELECT *, median(share) OVER history AS med, mad(share) OVER history AS spread,
           count(*) OVER history AS months,
           lag(period) OVER by_month AS previous_period, lag(share) OVER by_month AS previous_value
    FROM needed
    WINDOW history AS (PARTITION BY branch_code ORDER BY period ROWS BETWEEN 12 PRECEDING AND 1 PRECEDING),
           by_month AS (PARTITION BY branch_code ORDER BY period)
)
SELECT commune_code, branch_code, period, 'outlier' AS rule, 'attendance_share' AS field,
       share AS value, med AS expected, previous_period, previous_value, load_id,
       'branch_meetings' AS form, row_no,
       'Tỷ lệ đảng viên dự sinh hoạt ' || vn_percent(share) || ', thấp bất thường so với '
           || months || ' tháng trước (thường ' || vn_percent(med)
           || '). Hãy kiểm tra số đảng viên dự và tổng số đảng viên.' AS message
FROM scored
WHERE period >= first_period AND months >= 6 AND 0.6745 * (share - med) / greatest(spread, 0.05) < -3.5;
