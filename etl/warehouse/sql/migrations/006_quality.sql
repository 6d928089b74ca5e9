-- Schema version 6: what the data-quality flags (sql/quality) need beyond the report rows.
-- load_columns: where each field of a monthly report's tables was read (one row per load, form
-- and field; the rows' own row_no gives the row), so a flag names the sheet and cell to open.
-- Reports loaded before this version have none: their flags name no cell.
CREATE TABLE IF NOT EXISTS load_columns (
    load_id BIGINT NOT NULL, form VARCHAR NOT NULL, field VARCHAR NOT NULL,
    sheet VARCHAR NOT NULL, col INTEGER NOT NULL  -- col: zero-based column index in the sheet
);
-- quality_verifications: the board's "Đã xác minh" (the figure is right) on a flag, one row per
-- act, never updated or deleted. It holds for the report version it names (load_id): a new
-- version of that report brings the flag back. The audit_log row is written in the same commit.
CREATE TABLE IF NOT EXISTS quality_verifications (
    "at" TIMESTAMP NOT NULL,          -- quoted: AT is a keyword of DuckDB's SQL
    account VARCHAR,                  -- who verified; NULL for the command line
    commune_code VARCHAR NOT NULL,
    branch_code VARCHAR,              -- NULL for a commune-level rule
    period VARCHAR NOT NULL,          -- 'YYYY-MM'
    rule VARCHAR NOT NULL,
    field VARCHAR,
    load_id BIGINT NOT NULL,          -- the report version verified
    note VARCHAR NOT NULL
);
