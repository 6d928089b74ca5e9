-- Rule branch_count_change (DOMAIN.md): a report lists another set of branches than the
-- registry's active branches for its month (spine: active_branches), when the month before's
-- report matched its own month's set.
-- Grain: one row per flagged commune x month of first_period .. last_period (branch_code NULL).
-- value = branches in the report, expected = active branches; the message names the
-- branches missing and those listed beyond the registry.
CREATE OR REPLACE MACRO flags_branch_count_change(first_period, last_period, communes) AS TABLE
WITH reports AS (
    SELECT commune_code, period, load_id
    FROM current_reports
    WHERE period BETWEEN month_before(first_period) AND last_period AND in_scope(communes, commune_code)
),
bounds AS (  -- the months compared, within those reported (the spine makes a row per month)
    SELECT min(period) AS lo, max(period) AS hi FROM reports
),
listed AS (
    SELECT commune_code, branch_code, period
    FROM current_branch_rows(month_before(first_period), last_period, communes)
),
active AS (
    SELECT a.commune_code, a.branch_code, a.period
    FROM active_branches((SELECT lo FROM bounds), (SELECT hi FROM bounds),
                         communes, []) AS a
    JOIN reports USING (commune_code, period)
),
units AS (  -- each branch of a report's month: listed, active in the registry, or both
    SELECT commune_code, branch_code, period, l.branch_code IS NOT NULL AS is_listed,
           a.branch_code IS NOT NULL AS is_active
    FROM listed AS l FULL JOIN active AS a USING (commune_code, branch_code, period)
),
compared AS (
    SELECT r.commune_code, r.period, r.load_id,
           count(*) FILTER (WHERE u.is_listed) AS listed,
           count(*) FILTER (WHERE u.is_active) AS active,
           list(b.branch_name ORDER BY b.branch_name) FILTER (WHERE NOT u.is_listed) AS missing,
           list(b.branch_name ORDER BY b.branch_name) FILTER (WHERE NOT u.is_active) AS extra
    FROM reports AS r
    JOIN units AS u USING (commune_code, period)
    LEFT JOIN units_branch AS b ON b.branch_code = u.branch_code
    GROUP BY ALL
)
SELECT cur.commune_code, NULL::VARCHAR AS branch_code, cur.period, 'branch_count_change' AS rule,
       'branch_meetings' AS field, cur.listed::DOUBLE AS value, cur.active::DOUBLE AS expected,
       prev.period AS previous_period, prev.listed::DOUBLE AS previous_value, cur.load_id,
       'branch_meetings' AS form, NULL::INTEGER AS row_no,
       'Báo cáo có ' || vn_int(cur.listed) || ' chi bộ, danh mục có ' || vn_int(cur.active)
           || ' chi bộ đang hoạt động'
           || CASE WHEN len(cur.missing) > 0 THEN '; thiếu: ' || array_to_string(cur.missing, ', ') ELSE '' END
           || CASE WHEN len(cur.extra) > 0 THEN '; ngoài danh mục tháng này: ' || array_to_string(cur.extra, ', ') ELSE '' END
           || '. Tháng ' || vn_month(prev.period) || ' báo cáo đủ. Hãy bổ sung chi bộ còn thiếu, '
           || 'hoặc báo Ban Tổ chức cập nhật danh mục nếu chi bộ đã giải thể, sáp nhập.' AS message
FROM compared AS cur
JOIN compared AS prev
  ON prev.commune_code = cur.commune_code AND prev.period = month_before(cur.period)
WHERE cur.period >= first_period
  AND (len(cur.missing) > 0 OR len(cur.extra) > 0)
  AND coalesce(len(prev.missing), 0) = 0 AND coalesce(len(prev.extra), 0) = 0;
