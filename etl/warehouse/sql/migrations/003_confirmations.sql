-- Schema version 3: the board's confirmation (duyệt) of a commune's monthly report (etl.confirm).
-- One row per act, confirm or reopen; never updated or deleted, like `loads`: the current state
-- of a (commune, month) is its newest act (view report_confirmations), and the acts before it are
-- the history. The audit_log row of each act is written in the same transaction.
CREATE SEQUENCE IF NOT EXISTS confirmation_event_ids START 1;
CREATE TABLE IF NOT EXISTS confirmation_events (
    event_id BIGINT PRIMARY KEY,
    commune_code VARCHAR NOT NULL,
    period VARCHAR NOT NULL,          -- 'YYYY-MM'
    action VARCHAR NOT NULL CHECK (action IN ('confirm', 'reopen')),
    "at" TIMESTAMP NOT NULL,          -- quoted: AT is a keyword of DuckDB's SQL
    account VARCHAR,                  -- who acted; NULL for the command line
    load_id BIGINT,                   -- the report version current at the act
    reason VARCHAR                    -- why a report was reopened (optional)
);
