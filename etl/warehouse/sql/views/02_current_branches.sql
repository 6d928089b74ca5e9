-- Grain: one row per branch code: its newest registry row (units are upserted, never deleted).
CREATE OR REPLACE VIEW current_branches AS
SELECT branch_code, branch_name, commune_code, kind, valid_from, valid_to, aliases, load_id
FROM branch_rows
QUALIFY row_number() OVER (PARTITION BY branch_code ORDER BY load_id DESC, row_no DESC) = 1;
