-- Rule members_unexplained_change (DOMAIN.md): a branch's members_total moved from the month
-- before by an amount the member changes of sheet 3 do not explain.
-- Grain: one row per flagged branch x month of first_period .. last_period (of the communes
-- asked, empty = all).
-- Only consecutive reported months are compared (the month before must be in a current report).
-- Communes record a change in the month it happened or in the next one, so each month's net
-- change may move the total in its own month or the next: the balance closes when the
-- difference is the month before's net change, this month's, both, or neither (0).
-- expected is last month's total plus this month's net change.
CREATE OR REPLACE MACRO flags_members_unexplained_change(first_period, last_period, communes) AS TABLE
WITH moved AS (  -- a total that did not move is never flagged: only these need sheet 3
    SELECT * FROM branch_month_pairs(first_period, last_period, communes)
    WHERE consecutive AND members_total <> previous_total
),
explained AS (
    SELECT m.*, coalesce(this_change.net_change, 0) AS net_this,
           coalesce(last_change.net_change, 0) AS net_before
    FROM moved AS m
    LEFT JOIN current_member_changes(month_before(first_period), last_period, communes) AS this_change
      ON this_change.branch_code = m.branch_code AND this_change.period = m.period
    LEFT JOIN current_member_changes(month_before(first_period), last_period, communes) AS last_change
      ON last_change.branch_code = m.branch_code AND last_change.period = m.previous_period
)
SELECT commune_code, branch_code, period, 'members_unexplained_change' AS rule,
       'members_total' AS field, members_total::DOUBLE AS value,
       (previous_total + net_this)::DOUBLE AS expected, previous_period,
       previous_total::DOUBLE AS previous_value, load_id, 'branch_meetings' AS form, row_no,
       'Tổng số đảng viên ' || vn_int(members_total) || ', tháng ' || vn_month(previous_period)
           || ' là ' || vn_int(previous_total) || ' (' || vn_signed(members_total - previous_total)
           || '), nhưng biểu 3 chỉ ghi biến động ' || vn_signed(net_this) || ' tháng này và '
           || vn_signed(net_before) || ' tháng trước: lẽ ra là ' || vn_int(previous_total + net_this)
           || '. Hãy kiểm tra số đảng viên, hoặc ghi đủ kết nạp, chuyển đến, chuyển đi, từ trần, xóa tên.'
           AS message
FROM explained
WHERE members_total - previous_total NOT IN (net_this, net_before, net_this + net_before);
