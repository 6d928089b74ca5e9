-- SPEC §5. Grain: one row per finding of the current inspection register (its newest load).
CREATE OR REPLACE VIEW inspection_findings AS
SELECT plan_ref, inspected_on, commune_code, branch_code, category, description, recommendation,
       due_date, status, resolved_on
FROM finding_rows
WHERE load_id = (SELECT max(load_id) FROM loads WHERE kind = 'inspections');
