-- The denominators of the GP rates (design §12): per scheme (each scheme whose configured
-- practices list the practice, and ALL for every practice on the list) × period ×
-- dimension × stratum, the people registered at the period's mid-point
-- (int_gp_periods), with dimension 'practice' for the practice rates and the IMD
-- quintile and decile placed as int_gp_strata places the referrals (national, or the
-- scheme's local cuts). A person with two registrations over a mid-point counts once, at
-- the later one: only the few people with more than one registration are looked at one by
-- one (a row per person and period, ranked, cost seconds at a million referrals). Reads
-- gp_registrations, the list with its strata worked out once.
-- Kept between runs: gp_registered.go builds only the periods gp_registered_periods
-- lists (every one on a full build; on other nights the periods new since, and all).
WITH several AS (
    SELECT DISTINCT person_id FROM gp_registrations WHERE person_registrations > 1
),
single AS (
    SELECT practice_code, registered_from, coalesce(registered_to, DATE '9999-12-31') AS registered_to,
        imd_rank, imd_decile, imd_quintile, sex, ethnic_group, born, age, 1 AS people
    FROM gp_registrations
    ANTI JOIN several USING (person_id)
),
single_at_mid AS (
    SELECT pe.period, s.practice_code, s.imd_rank, s.imd_decile, s.imd_quintile, s.sex, s.ethnic_group,
        gp_age_at(s.born, s.age, pe.mid) AS age_now, s.people
    FROM gp_registered_periods pe
    JOIN single s ON s.registered_from <= pe.mid AND s.registered_to >= pe.mid
),
several_at_mid AS (
    SELECT pe.period, r.practice_code, r.imd_rank, r.imd_decile, r.imd_quintile, r.sex, r.ethnic_group,
        gp_age_at(r.born, r.age, pe.mid) AS age_now, 1 AS people
    FROM gp_registered_periods pe
    JOIN (SELECT * FROM gp_registrations SEMI JOIN several USING (person_id)) r
      ON r.registered_from <= pe.mid AND coalesce(r.registered_to, DATE '9999-12-31') >= pe.mid
    QUALIFY row_number() OVER (PARTITION BY pe.period, r.person_id ORDER BY r.registered_from DESC, r.practice_code) = 1
),
at_mid AS (
    SELECT period, practice_code, imd_rank, imd_decile, imd_quintile, age_band(age_now) AS age_band, sex,
        ethnic_group, sum(people) AS patients
    FROM (SELECT * FROM single_at_mid UNION ALL SELECT * FROM several_at_mid)
    GROUP BY ALL
),
listed AS (
    SELECT DISTINCT scheme_id, upper(trim(practice_code)) AS practice_code FROM cfg_scheme_practices
),
copies AS (
    SELECT 'ALL' AS scheme_id, a.* FROM at_mid a
    UNION ALL
    SELECT l.scheme_id, a.* FROM at_mid a JOIN listed l USING (practice_code)
),
placed AS (
    SELECT c.*, coalesce(l5.stratum, c.imd_quintile) AS q5, coalesce(l10.stratum, c.imd_decile) AS q10
    FROM copies c
    LEFT JOIN int_equity_quantile_cuts l5
        ON l5.scheme_id = c.scheme_id AND l5.quantiles = 5 AND c.imd_rank BETWEEN l5.lo_rank AND l5.hi_rank
    LEFT JOIN int_equity_quantile_cuts l10
        ON l10.scheme_id = c.scheme_id AND l10.quantiles = 10 AND c.imd_rank BETWEEN l10.lo_rank AND l10.hi_rank
)
SELECT scheme_id, period, dimension, stratum, CAST(sum(patients) AS BIGINT) AS patients
FROM (
    SELECT p.scheme_id, p.period, d.dimension, CASE d.dimension
            WHEN 'practice' THEN p.practice_code WHEN 'imd_quintile' THEN CAST(p.q5 AS VARCHAR)
            WHEN 'imd_decile' THEN CAST(p.q10 AS VARCHAR) WHEN 'age_band' THEN p.age_band WHEN 'sex' THEN p.sex
            ELSE p.ethnic_group END AS stratum,
        p.patients
    FROM placed p
    CROSS JOIN (VALUES ('practice'), ('imd_quintile'), ('imd_decile'), ('age_band'), ('sex'), ('ethnic_group')) d(dimension)
)
WHERE stratum IS NOT NULL
GROUP BY scheme_id, period, dimension, stratum
