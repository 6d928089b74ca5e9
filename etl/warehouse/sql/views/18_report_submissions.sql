-- SPEC §5. Grain: one row per received version of a monthly report (every version, is_current marks the newest).
CREATE OR REPLACE VIEW report_submissions AS
SELECT commune_code, period, received_at, tasks_sent_on, source_file, sha256,
       CAST(row_number() OVER (PARTITION BY commune_code, period ORDER BY load_id) AS INTEGER) AS version,
       load_id = max(load_id) OVER (PARTITION BY commune_code, period) AS is_current
FROM loads
WHERE kind = 'monthly';
