-- Grain: one row per commune code: its newest registry row (units are upserted, never deleted).
CREATE OR REPLACE VIEW current_communes AS
SELECT commune_code, commune_name, kind, valid_from, valid_to, merged_into, aliases, load_id
FROM commune_rows
QUALIFY row_number() OVER (PARTITION BY commune_code ORDER BY load_id DESC, row_no DESC) = 1;
