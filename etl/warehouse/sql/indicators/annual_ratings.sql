-- Year-end ratings of branches and members (sheet 4 of the December report).
-- Grain: one row per branch at the finest; $by_branch / $by_commune choose the keys
-- (by_branch implies the commune key). Communes active in any day of $year appear even when
-- unrated (reported = false, counts NULL); the branch grain lists rated branches only.
-- "tot_tro_len" = Hoàn thành xuất sắc + Hoàn thành tốt nhiệm vụ.
-- Parameters: $year (INTEGER), $communes, $kinds (VARCHAR[], empty = all), $by_commune, $by_branch.
WITH ratings AS (
    SELECT r.*
    FROM annual_ratings AS r
    LEFT JOIN units_branch AS b ON b.branch_code = r.branch_code
    WHERE r.year = $year
      AND in_scope($communes, r.commune_code)
      AND in_scope($kinds, b.kind)
),
communes_in_year AS (
    SELECT commune_code
    FROM units_commune
    WHERE valid_between(valid_from, valid_to, make_date($year, 1, 1), make_date($year, 12, 31))
      AND in_scope($communes, commune_code)
),
rows_in_scope AS (
    SELECT coalesce(r.commune_code, y.commune_code) AS commune_code, r.* EXCLUDE (commune_code),
           r.year IS NOT NULL AS rated
    FROM communes_in_year AS y FULL JOIN ratings AS r ON r.commune_code = y.commune_code
    WHERE NOT $by_branch OR r.year IS NOT NULL
),
grouped AS (
    SELECT CASE WHEN $by_commune OR $by_branch THEN commune_code END AS commune_code,
           CASE WHEN $by_branch THEN branch_code END AS branch_code,
           CASE WHEN $by_branch THEN any_value(org_rating) END AS org_rating,
           count(*) FILTER (WHERE rated) AS n_rated,
           count(*) FILTER (WHERE org_rating = 'xuat_sac') AS org_xuat_sac,
           count(*) FILTER (WHERE org_rating = 'tot') AS org_tot,
           count(*) FILTER (WHERE org_rating = 'hoan_thanh') AS org_hoan_thanh,
           count(*) FILTER (WHERE org_rating = 'khong_hoan_thanh') AS org_khong_hoan_thanh,
           coalesce(sum(members_xuat_sac), 0)::BIGINT AS members_xuat_sac,
           coalesce(sum(members_tot), 0)::BIGINT AS members_tot,
           coalesce(sum(members_hoan_thanh), 0)::BIGINT AS members_hoan_thanh,
           coalesce(sum(members_khong_hoan_thanh), 0)::BIGINT AS members_khong_hoan_thanh
    FROM rows_in_scope
    GROUP BY 1, 2
),
totals AS (
    SELECT *, members_xuat_sac + members_tot + members_hoan_thanh + members_khong_hoan_thanh
              AS members_rated
    FROM grouped
)
SELECT t.commune_code, c.commune_name, t.branch_code, b.branch_name, b.kind AS branch_kind,
       t.org_rating, t.n_rated > 0 AS reported,
       if_reported(t.n_rated, t.n_rated) AS branches_rated,
       if_reported(t.n_rated, t.org_xuat_sac) AS org_xuat_sac,
       if_reported(t.n_rated, t.org_tot) AS org_tot,
       if_reported(t.n_rated, t.org_hoan_thanh) AS org_hoan_thanh,
       if_reported(t.n_rated, t.org_khong_hoan_thanh) AS org_khong_hoan_thanh,
       (t.org_xuat_sac + t.org_tot) / nullif(t.n_rated, 0) AS org_tot_tro_len_share,
       if_reported(t.n_rated, t.members_xuat_sac) AS members_xuat_sac,
       if_reported(t.n_rated, t.members_tot) AS members_tot,
       if_reported(t.n_rated, t.members_hoan_thanh) AS members_hoan_thanh,
       if_reported(t.n_rated, t.members_khong_hoan_thanh) AS members_khong_hoan_thanh,
       if_reported(t.n_rated, t.members_rated) AS members_rated,
       (t.members_xuat_sac + t.members_tot) / nullif(t.members_rated, 0)
           AS members_tot_tro_len_share
FROM totals AS t
LEFT JOIN units_commune AS c ON c.commune_code = t.commune_code
LEFT JOIN units_branch AS b ON b.branch_code = t.branch_code
ORDER BY c.commune_name, t.commune_code, b.branch_name, t.branch_code
