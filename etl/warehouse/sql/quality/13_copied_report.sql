-- Rule copied_report (DOMAIN.md): every branch of a commune's report (at least 5) repeats the
-- month before's held / attended / total / quality, figure for figure.
-- Grain: one row per flagged commune x month of first_period .. last_period (branch_code NULL).
-- value = branches in the report, all of them repeated; the month before must be reported.
CREATE OR REPLACE MACRO flags_copied_report(first_period, last_period, communes) AS TABLE
WITH compared AS (
    SELECT commune_code, period, load_id, count(*) AS branches,
           count(*) FILTER (
               WHERE consecutive
                 AND previous_held IS NOT DISTINCT FROM held
                 AND previous_attended IS NOT DISTINCT FROM members_attended
                 AND previous_total IS NOT DISTINCT FROM members_total
                 AND previous_quality IS NOT DISTINCT FROM quality) AS repeated
    FROM branch_month_pairs(first_period, last_period, communes)
    GROUP BY ALL
)
SELECT commune_code, NULL::VARCHAR AS branch_code, period, 'copied_report' AS rule,
       'branch_meetings' AS field, branches::DOUBLE AS value, NULL::DOUBLE AS expected,
       month_before(period) AS previous_period, repeated::DOUBLE AS previous_value, load_id,
       'branch_meetings' AS form, NULL::INTEGER AS row_no,
       'Cả ' || vn_int(branches) || ' chi bộ ghi giống hệt tháng ' || vn_month(month_before(period))
           || ' (sinh hoạt, số dự, tổng số đảng viên, chất lượng). Có thể đã gửi lại báo cáo '
           || 'tháng trước; hãy kiểm tra biểu 2.' AS message
FROM compared
WHERE branches >= 5 AND repeated = branches;
