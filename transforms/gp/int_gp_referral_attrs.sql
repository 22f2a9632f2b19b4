-- kind: temp
-- reads: gp_referrals, gp_registrations, gp_age_at, cfg_scheme_practices
-- Each GP-coded referral (offers declined left out: they are no referral) once per scheme
-- it counts under — ALL, and each scheme whose configured practices list its practice —
-- with its period and the strata of the person's registration at that practice on the
-- referral date (the latest to start, if several ran then; deprivation NULL when the
-- patient's LSOA has none), for the GP rates (design §12).
-- declined_mature: the 90-day decline window has passed by data_end. gp_referrals holds a
-- row per listing scheme; its ALL row is the one of the first such scheme (or the one row
-- when none lists the practice), found without grouping the referrals: an aggregate over
-- hundreds of thousands of ids took seconds a night.
WITH first_scheme AS (
    SELECT upper(trim(practice_code)) AS practice_code, min(scheme_id) AS scheme_id
    FROM cfg_scheme_practices
    GROUP BY 1
),
refs AS (
    SELECT g.gp_referral_id, g.person_id, upper(trim(g.practice_code)) AS practice_code, g.referral_date, g.declined,
        g.scheme_id, g.scheme_id IS NULL OR g.scheme_id = f.scheme_id AS counts_for_all
    FROM gp_referrals g
    LEFT JOIN first_scheme f ON f.practice_code = upper(trim(g.practice_code))
    WHERE NOT g.offer_declined AND g.referral_date IS NOT NULL
),
-- the registration at the referral's practice that ran on its date: at most one for a
-- person with one registration; for the few with several, the latest to start
joined AS (
    SELECT r.*, g.registered_from IS NOT NULL AS covers, g.registered_from AS reg_from,
        g.imd_rank, g.imd_decile, g.imd_quintile, g.lsoa_status, g.sex AS reg_sex, g.born, g.age, g.ethnic_group AS reg_ethnic,
        coalesce(g.person_registrations, 1) > 1 AS several
    FROM refs r
    LEFT JOIN gp_registrations g
      ON g.person_id = r.person_id AND g.practice_code = r.practice_code
     AND g.registered_from <= r.referral_date AND coalesce(g.registered_to, DATE '9999-12-31') >= r.referral_date
),
matched AS (
    SELECT * FROM joined WHERE NOT several
    UNION ALL
    SELECT * FROM joined WHERE several
    QUALIFY row_number() OVER (PARTITION BY gp_referral_id, scheme_id ORDER BY reg_from DESC NULLS LAST) = 1
),
attrs AS (
    SELECT
        gp_referral_id, person_id, practice_code, referral_date, period_key(referral_date) AS period, declined,
        referral_date + 90 <= getvariable('data_end') AS declined_mature,
        scheme_id, counts_for_all,
        CASE WHEN covers THEN imd_rank END AS imd_rank,
        CASE WHEN covers THEN imd_decile END AS imd_decile,
        CASE WHEN covers THEN imd_quintile END AS imd_quintile,
        CASE WHEN covers THEN lsoa_status END AS lsoa_status,
        CASE WHEN covers THEN reg_sex ELSE 'unknown' END AS sex,
        age_band(CASE WHEN covers THEN gp_age_at(born, age, referral_date) END) AS age_band,
        CASE WHEN covers THEN reg_ethnic ELSE 'not_stated' END AS ethnic_group
    FROM matched
)
SELECT 'ALL' AS scheme_id, a.* EXCLUDE (scheme_id, counts_for_all) FROM attrs a WHERE counts_for_all
UNION ALL
SELECT a.scheme_id, a.* EXCLUDE (scheme_id, counts_for_all) FROM attrs a WHERE a.scheme_id IS NOT NULL
