-- Grain: one row per commune and month: the current (newest) version of its monthly report.
CREATE OR REPLACE VIEW current_reports AS
SELECT *
FROM loads
WHERE kind = 'monthly'
QUALIFY row_number() OVER (PARTITION BY commune_code, period ORDER BY load_id DESC) = 1;
