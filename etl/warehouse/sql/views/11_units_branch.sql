-- SPEC §5. Grain: one row per branch in the registry.
CREATE OR REPLACE VIEW units_branch AS
SELECT branch_code, branch_name, commune_code, kind, valid_from, valid_to
FROM current_branches;
