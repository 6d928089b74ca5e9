-- Data-quality flags counted: unverified flags (a verified one leaves the counts).
-- Grain: one row per commune x rule with at least one flag in the scope (verified or not).
-- Parameters: $first, $last ('YYYY-MM'), $communes (VARCHAR[], empty = all).
SELECT f.commune_code, c.commune_name, f.rule,
       count(*) FILTER (WHERE NOT f.verified) AS flags,
       count(*) FILTER (WHERE f.verified) AS verified
FROM quality_flags($first, $last, $communes) AS f
LEFT JOIN units_commune AS c ON c.commune_code = f.commune_code
GROUP BY ALL
ORDER BY c.commune_name, f.commune_code, f.rule
