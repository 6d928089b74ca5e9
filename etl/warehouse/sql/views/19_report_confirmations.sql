-- Grain: one row per commune and month the board has acted on (confirmed, or reopened): the state
-- its newest act left. confirmed_* are NULL once it is reopened; confirmed_by is NULL when the
-- act came from the command line. Not a SPEC §5 view: the project's own, for I15's matrix.
CREATE OR REPLACE VIEW report_confirmations AS
SELECT commune_code, period,
       action = 'confirm' AS confirmed,
       CASE WHEN action = 'confirm' THEN "at" END AS confirmed_at,
       CASE WHEN action = 'confirm' THEN account END AS confirmed_by,
       CASE WHEN action = 'confirm' THEN load_id END AS confirmed_load_id,
       "at" AS changed_at, account AS changed_by, reason
FROM confirmation_events
QUALIFY row_number() OVER (PARTITION BY commune_code, period ORDER BY event_id DESC) = 1;
