-- The slow-down's counts for one attempt (etl.access.logins.verdict): one row.
-- $account, $client: who is trying from where; $since: when the account's password was set (rows
-- before it do not count); $window: the start of the spray window. $address: the client's address
-- (ui.auth.client: the part before ' #'), $address_window: the start of its window, $nth: which of
-- its newest failed attempts (over every account and name) ends its budget.
WITH mine AS (
    SELECT "at", client IS NOT DISTINCT FROM $client AS here, reason
    FROM login_attempts WHERE account = $account AND "at" >= $since
), last_ok AS (
    SELECT max("at") AS t FROM mine WHERE here AND reason = 'ok'
), in_a_row AS (
    SELECT "at" FROM mine, last_ok WHERE here AND reason = 'wrong' AND (last_ok.t IS NULL OR "at" > last_ok.t)
), from_address AS (
    SELECT "at" FROM login_attempts
    WHERE split_part(client, ' #', 1) = $address AND reason IN ('wrong', 'unknown', 'disabled')
      AND "at" >= $address_window
)
SELECT
    (SELECT count(*) FROM in_a_row) AS in_a_row,           -- wrong passwords in a row from this client
    (SELECT max("at") FROM in_a_row) AS last_wrong,
    (SELECT count(*) FROM mine WHERE reason = 'wrong' AND "at" >= $window) AS recent,  -- from every client
    (SELECT t FROM last_ok) IS NOT NULL AS known,           -- this client signed in since the password was set
    (SELECT list("at" ORDER BY "at" DESC)[$nth] FROM from_address) AS address_nth  -- NULL: within budget
