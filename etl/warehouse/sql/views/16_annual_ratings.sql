-- SPEC §5. Grain: one row per branch and year, from the newest current report of that year
-- carrying sheet 4 (normally December's).
CREATE OR REPLACE VIEW annual_ratings AS
SELECT l.commune_code, r.branch_code, CAST(substr(l.period, 1, 4) AS INTEGER) AS year, r.org_rating,
       r.members_xuat_sac, r.members_tot, r.members_hoan_thanh, r.members_khong_hoan_thanh
FROM annual_rating_rows r
JOIN current_reports l USING (load_id)
QUALIFY row_number() OVER (PARTITION BY l.commune_code, r.branch_code, substr(l.period, 1, 4)
                           ORDER BY l.period DESC) = 1;
