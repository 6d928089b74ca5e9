-- SPEC §5. Grain: one row per commune and year: the newest target loaded for it.
CREATE OR REPLACE VIEW recruitment_targets AS
SELECT commune_code, year, target
FROM target_rows
QUALIFY row_number() OVER (PARTITION BY commune_code, year ORDER BY load_id DESC, row_no DESC) = 1;
