-- SPEC §5. Grain: one row per commune party committee in the registry.
CREATE OR REPLACE VIEW units_commune AS
SELECT commune_code, commune_name, kind, valid_from, valid_to, merged_into
FROM current_communes;
