-- Grain: one row per file content (sha256) that is part of the current state of the warehouse.
-- Loading such a file again changes nothing: the loader answers "unchanged" without parsing it.
CREATE OR REPLACE VIEW current_file_hashes AS
SELECT DISTINCT l.sha256
FROM loads l
WHERE l.load_id IN (
    SELECT load_id FROM current_reports
    UNION ALL SELECT max(load_id) FROM loads WHERE kind = 'inspections'
    UNION ALL SELECT load_id FROM current_communes
    UNION ALL SELECT load_id FROM current_branches
    UNION ALL SELECT load_id FROM target_rows
        QUALIFY row_number() OVER (PARTITION BY commune_code, year ORDER BY load_id DESC) = 1
);
