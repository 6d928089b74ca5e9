-- Schema version 7: what a rejected file held wrong (etl.warehouse.rejections), so that "what did
-- they send us?" has an answer beside its kept bytes (etl.warehouse.originals).
-- rejections: one row per file the loader rejected, written in the transaction of its audit_log
-- row ('reject'), which has the same "at", file_name and sha256; never updated or deleted. The
-- same content rejected twice is two rows: the registry or a confirmation may have changed.
-- Rejections from before this version have their audit row only (its detail lists the codes).
CREATE SEQUENCE IF NOT EXISTS rejection_ids START 1;
CREATE TABLE IF NOT EXISTS rejections (
    rejection_id BIGINT PRIMARY KEY,
    "at" TIMESTAMP NOT NULL,          -- quoted: AT is a keyword of DuckDB's SQL
    file_name VARCHAR,                -- as received (never used as a path)
    sha256 VARCHAR,                   -- the kept original; NULL when the file could not be read
    kind VARCHAR,                     -- as far as the check recognised it: registry | monthly | ...
    commune_code VARCHAR,             -- whose file it is, for who may see it: the commune the
                                      -- report names, NULL when none or when the run was limited
                                      -- to another commune (NULL: the board's only)
    period VARCHAR                    -- 'YYYY-MM' of a monthly report, when the check read it
);
-- rejection_problems: every problem of a rejected file (errors and warnings, as the loader listed
-- them; SPEC §3), in the loader's order (seq).
CREATE TABLE IF NOT EXISTS rejection_problems (
    rejection_id BIGINT NOT NULL,
    seq INTEGER NOT NULL,
    severity VARCHAR NOT NULL,        -- error | warning
    code VARCHAR NOT NULL,            -- etl.problems.CODES
    sheet VARCHAR,
    cell VARCHAR,                     -- A1 style
    row_no INTEGER,                   -- 1-based Excel row
    header VARCHAR,                   -- the column's header as written in the file
    message VARCHAR NOT NULL          -- Vietnamese: what is wrong and how to fix it
);
