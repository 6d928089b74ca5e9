-- The login file beside the warehouse (etl.logins), `<warehouse>.logins.duckdb`: one row per
-- login attempt, never updated or deleted. The slow-down of wrong passwords is computed from these
-- rows (per account and client since the account's password was set), so nothing else is kept.
CREATE TABLE IF NOT EXISTS login_attempts (
    "at" TIMESTAMP NOT NULL,          -- quoted: AT is a keyword of DuckDB's SQL
    account VARCHAR,                  -- NULL for a name that is no account (the typed name is never kept)
    -- login_resumed: a session the browser's cookie brought back (a reload, a new tab), no password
    action VARCHAR NOT NULL CHECK (action IN ('login', 'login_failed', 'login_resumed')),
    reason VARCHAR NOT NULL CHECK (reason IN ('ok', 'wrong', 'throttled', 'disabled', 'unknown')),
    client VARCHAR,                   -- where the attempt came from (ui.auth.client): address and browser
    detail VARCHAR                    -- Vietnamese, for the audit page
);
