-- Recruitment against the annual target: I11 (and I12 sources trained, year to date).
-- Grain: one row per commune x month at the finest; $by_commune / $by_month choose the keys.
-- Year to date always starts in January of the row's year, whatever the scope's first month:
-- month rows (by_month) cover the scope's months with cumulative figures; without by_month the
-- row is the position at the scope's last month (months_elapsed = that month's number).
-- On track when admitted_ytd >= target x months_elapsed / 12; NULL without a target or data.
-- admitted_ytd_reported (month rows): admitted_ytd, NULL for a month no commune has reported yet
-- (a cumulative line stops there rather than repeat the last total).
-- A commune counts for the whole year once it is active or reported in any month of it, so a
-- commune merged in March keeps its January admissions in the district's year to date.
-- A commune that has reported nothing this year to date has no admissions to count, not zero
-- (DOMAIN): target_reported sums only the targets of communes that have reported, and
-- i11_reported_share / on_track_reported compare with it; communes_not_reported and
-- target_not_reported say what is left out. `target` and i11_target_share keep every target.
-- Parameters: $first, $last ('YYYY-MM'), $communes (VARCHAR[]), $by_commune, $by_month.
WITH months AS (
    -- year to date: from January of the first month's year
    SELECT * FROM scope_months(substr($first, 1, 4) || '-01', $last)
),
reports AS (
    SELECT commune_code, period FROM current_reports_in(substr($first, 1, 4) || '-01', $last, $communes)
),
communes_in_year AS (
    SELECT commune_code, year FROM active_communes(substr($first, 1, 4) || '-01', $last, $communes)
    UNION
    SELECT r.commune_code, m.year FROM reports AS r JOIN months AS m USING (period)
),
monthly AS (
    SELECT commune_code, period, sum(admitted)::BIGINT AS admitted,
           sum(sources_trained)::BIGINT AS sources_trained
    FROM recruitment
    WHERE period IN (SELECT period FROM months)
    GROUP BY commune_code, period
),
commune_months AS (
    SELECT y.commune_code, m.period, m.year, m.month_number,
           r.commune_code IS NOT NULL AS reported,
           CASE WHEN r.commune_code IS NOT NULL THEN coalesce(x.admitted, 0) END AS admitted,
           CASE WHEN r.commune_code IS NOT NULL THEN coalesce(x.sources_trained, 0) END
               AS sources_trained
    FROM communes_in_year AS y
    JOIN months AS m USING (year)
    LEFT JOIN reports AS r ON r.commune_code = y.commune_code AND r.period = m.period
    LEFT JOIN monthly AS x ON x.commune_code = y.commune_code AND x.period = m.period
),
cumulative AS (
    SELECT cm.*, t.target,
           (sum(admitted) OVER ytd)::BIGINT AS admitted_ytd,
           (sum(sources_trained) OVER ytd)::BIGINT AS sources_trained_ytd,
           count(*) FILTER (WHERE reported) OVER ytd AS reported_months_ytd
    FROM commune_months AS cm
    LEFT JOIN recruitment_targets AS t ON t.commune_code = cm.commune_code AND t.year = cm.year
    WINDOW ytd AS (PARTITION BY cm.commune_code, cm.year ORDER BY cm.period
                   ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),
grouped AS (
    SELECT CASE WHEN $by_commune THEN commune_code END AS commune_code,
           CASE WHEN $by_month THEN period END AS period,
           max(year) AS year,
           max(month_number) AS months_elapsed,
           sum(target)::BIGINT AS target,
           sum(target) FILTER (WHERE reported_months_ytd > 0)::BIGINT AS target_reported,
           count(*) FILTER (WHERE target IS NOT NULL AND reported_months_ytd = 0)
               AS communes_not_reported,
           sum(target) FILTER (WHERE reported_months_ytd = 0)::BIGINT AS target_not_reported,
           sum(admitted)::BIGINT AS admitted,
           sum(reported_months_ytd)::BIGINT AS reported_months_ytd,
           sum(admitted_ytd)::BIGINT AS admitted_ytd,
           sum(sources_trained_ytd)::BIGINT AS sources_trained_ytd
    FROM cumulative
    WHERE CASE WHEN $by_month THEN period >= $first ELSE period = $last END
    GROUP BY 1, 2
)
SELECT g.commune_code, c.commune_name, g.period, g.year, g.months_elapsed,
       g.reported_months_ytd > 0 AS reported, g.reported_months_ytd,
       g.admitted, g.admitted_ytd, g.sources_trained_ytd,
       CASE WHEN g.admitted IS NOT NULL THEN g.admitted_ytd END AS admitted_ytd_reported,
       g.target,
       g.target * g.months_elapsed / 12.0 AS pace_target,
       g.admitted_ytd / nullif(g.target, 0) AS i11_target_share,
       CASE WHEN g.target IS NOT NULL AND g.admitted_ytd IS NOT NULL
            THEN g.admitted_ytd >= g.target * g.months_elapsed / 12.0 END AS on_track,
       g.target_reported, g.communes_not_reported, g.target_not_reported,
       g.admitted_ytd / nullif(g.target_reported, 0) AS i11_reported_share,
       CASE WHEN g.target_reported IS NOT NULL AND g.admitted_ytd IS NOT NULL
            THEN g.admitted_ytd >= g.target_reported * g.months_elapsed / 12.0 END AS on_track_reported
FROM grouped AS g
LEFT JOIN units_commune AS c ON c.commune_code = g.commune_code
ORDER BY c.commune_name, g.commune_code, g.period
