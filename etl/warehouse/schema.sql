-- Internal tables of the warehouse. Every accepted file is one row of `loads`; the rows it
-- brought carry its load_id. Nothing is updated or deleted: the current version of a report,
-- unit or target is derived in the views (the newest load for its key), so every earlier
-- version stays as history. The public, stable names are the views in sql/views (SPEC §5).
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE SEQUENCE IF NOT EXISTS load_ids START 1;

-- One row per accepted file version.
CREATE TABLE IF NOT EXISTS loads (
    load_id BIGINT PRIMARY KEY,
    kind VARCHAR NOT NULL,            -- registry | monthly | targets | inspections
    source_file VARCHAR NOT NULL,     -- file name as received (never used as a path)
    sha256 VARCHAR NOT NULL,
    received_at TIMESTAMP NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    commune_code VARCHAR,             -- monthly only
    period VARCHAR,                   -- monthly only, 'YYYY-MM'
    tasks_sent_on DATE,
    made_on DATE,
    made_by VARCHAR,
    warnings INTEGER NOT NULL DEFAULT 0
);

-- One row per commune per registry load.
CREATE TABLE IF NOT EXISTS commune_rows (
    load_id BIGINT NOT NULL, row_no INTEGER, commune_code VARCHAR NOT NULL, commune_name VARCHAR,
    kind VARCHAR, valid_from DATE, valid_to DATE, merged_into VARCHAR, aliases VARCHAR[]
);

-- One row per branch per registry load.
CREATE TABLE IF NOT EXISTS branch_rows (
    load_id BIGINT NOT NULL, row_no INTEGER, branch_code VARCHAR NOT NULL, branch_name VARCHAR,
    commune_code VARCHAR, kind VARCHAR, valid_from DATE, valid_to DATE, aliases VARCHAR[]
);

-- One row per committee meeting per monthly report version.
CREATE TABLE IF NOT EXISTS committee_meeting_rows (
    load_id BIGINT NOT NULL, row_no INTEGER, meeting_date DATE, body VARCHAR, regular BOOLEAN,
    members_total INTEGER, members_present INTEGER, conclusion_issued BOOLEAN, conclusion_ref VARCHAR,
    conclusion_date DATE, upper_attended BOOLEAN, note VARCHAR
);

-- One row per branch per monthly report version.
CREATE TABLE IF NOT EXISTS branch_meeting_rows (
    load_id BIGINT NOT NULL, row_no INTEGER, branch_code VARCHAR NOT NULL, held BOOLEAN, meeting_date DATE,
    members_total INTEGER, members_exempt INTEGER, members_attended INTEGER, thematic BOOLEAN,
    thematic_topic VARCHAR, upper_attended BOOLEAN, quality VARCHAR, note VARCHAR
);

-- One row per branch per monthly report version (sheet 3).
CREATE TABLE IF NOT EXISTS recruitment_rows (
    load_id BIGINT NOT NULL, row_no INTEGER, branch_code VARCHAR NOT NULL, sources_trained INTEGER,
    admitted INTEGER, confirmed_official INTEGER, transferred_in INTEGER, transferred_out INTEGER,
    deceased INTEGER, removed INTEGER, working_away INTEGER
);

-- One row per branch per monthly report version that carries sheet 4 (December).
CREATE TABLE IF NOT EXISTS annual_rating_rows (
    load_id BIGINT NOT NULL, row_no INTEGER, branch_code VARCHAR NOT NULL, org_rating VARCHAR,
    members_xuat_sac INTEGER, members_tot INTEGER, members_hoan_thanh INTEGER, members_khong_hoan_thanh INTEGER
);

-- One row per commune and year per targets load.
CREATE TABLE IF NOT EXISTS target_rows (
    load_id BIGINT NOT NULL, row_no INTEGER, commune_code VARCHAR NOT NULL, year INTEGER NOT NULL, target INTEGER
);

-- One row per finding per inspection-register load (the register is replaced as a whole).
CREATE TABLE IF NOT EXISTS finding_rows (
    load_id BIGINT NOT NULL, row_no INTEGER, plan_ref VARCHAR, inspected_on DATE, commune_code VARCHAR,
    branch_code VARCHAR, category VARCHAR, description VARCHAR, recommendation VARCHAR, due_date DATE,
    status VARCHAR, resolved_on DATE, note VARCHAR
);
