-- SPEC §5. Grain: one row per branch per month that the report's sheet 3 lists.
CREATE OR REPLACE VIEW recruitment AS
SELECT l.commune_code, r.branch_code, l.period, r.sources_trained, r.admitted, r.confirmed_official,
       r.transferred_in, r.transferred_out, r.deceased, r.removed, r.working_away
FROM recruitment_rows r
JOIN current_reports l USING (load_id);
