-- Rule copied_report (DOMAIN.md): every branch of a commune's report (at least 5) repeats the
-- month before's held / attended / total / quality, figure for figure.
-- Grain: one row per flagged commune x month (branch_code NULL; every month).
-- value = branches in the report, all of them repeated; the month before must be reported.
CREATE OR REPLACE MACRO flags_copied_report(communes) AS TABLE
WITH compared AS (
    SELECT cur.commune_code, cur.period, cur.load_id, month_before(cur.period) AS previous_period,
           count(*) AS branches,
           count(prev.branch_code) FILTER (
               WHERE prev.held IS NOT DISTINCT FROM cur.held
                 AND prev.members_attended IS NOT DISTINCT FROM cur.members_attended
                 AND prev.members_total IS NOT DISTINCT FROM cur.members_total
                 AND prev.quality IS NOT DISTINCT FROM cur.quality) AS repeated
    FROM current_branch_rows(communes) AS cur
    LEFT JOIN current_branch_rows(communes) AS prev
      ON prev.branch_code = cur.branch_code AND prev.period = month_before(cur.period)
    GROUP BY ALL
)
SELECT commune_code, NULL::VARCHAR AS branch_code, period, 'copied_report' AS rule,
       'branch_meetings' AS field, branches::DOUBLE AS value, NULL::DOUBLE AS expected,
       previous_period, repeated::DOUBLE AS previous_value, load_id, 'branch_meetings' AS form,
       NULL::INTEGER AS row_no,
       'Cả ' || vn_int(branches) || ' chi bộ ghi giống hệt tháng ' || vn_month(previous_period)
           || ' (sinh hoạt, số dự, tổng số đảng viên, chất lượng). Có thể đã gửi lại báo cáo '
           || 'tháng trước; hãy kiểm tra biểu 2.' AS message
FROM compared
WHERE branches >= 5 AND repeated = branches;
