-- Grain: one row per (file content, loader table holding rows of it), for the file contents
-- (sha256) bound as ?; a content without rows gives one row with table_name NULL.
-- What the loader reports for a file answered "unchanged": the newest load of that content,
-- its kind, commune and period, and its rows per loader table (the names of a FileResult).
WITH latest AS (
    SELECT load_id, sha256, kind, commune_code, period
    FROM loads
    WHERE list_contains(?::VARCHAR[], sha256)
    QUALIFY row_number() OVER (PARTITION BY sha256 ORDER BY load_id DESC) = 1
), counted AS (
    SELECT load_id, 'communes' AS table_name, count(*) AS n FROM commune_rows GROUP BY load_id
    UNION ALL SELECT load_id, 'branches', count(*) FROM branch_rows GROUP BY load_id
    UNION ALL SELECT load_id, 'committee_meetings', count(*) FROM committee_meeting_rows GROUP BY load_id
    UNION ALL SELECT load_id, 'branch_meetings', count(*) FROM branch_meeting_rows GROUP BY load_id
    UNION ALL SELECT load_id, 'recruitment', count(*) FROM recruitment_rows GROUP BY load_id
    UNION ALL SELECT load_id, 'annual_ratings', count(*) FROM annual_rating_rows GROUP BY load_id
    UNION ALL SELECT load_id, 'recruitment_targets', count(*) FROM target_rows GROUP BY load_id
    UNION ALL SELECT load_id, 'inspection_findings', count(*) FROM finding_rows GROUP BY load_id
)
SELECT l.sha256, l.kind, l.commune_code, l.period, c.table_name, c.n
FROM latest AS l
LEFT JOIN counted AS c ON c.load_id = l.load_id
ORDER BY l.sha256, c.table_name
