-- kind: temp
-- reads: gp_referrals, gp_registrations, gp_age_at
-- Each GP-coded referral (offers declined left out: they are no referral) once per scheme
-- it counts under — ALL, and each scheme whose configured practices list its practice —
-- with its period and the strata of the person's registration at that practice on the
-- referral date (deprivation NULL when the patient's LSOA has none), for the GP rates
-- (design §12). declined_mature: the 90-day decline window has passed by data_end.
WITH refs AS (
    SELECT gp_referral_id, any_value(person_id) AS person_id, any_value(upper(trim(practice_code))) AS practice_code,
        any_value(referral_date) AS referral_date, bool_or(declined) AS declined,
        list(scheme_id) FILTER (WHERE scheme_id IS NOT NULL) AS schemes
    FROM gp_referrals
    WHERE NOT offer_declined AND referral_date IS NOT NULL
    GROUP BY gp_referral_id
),
attrs AS (
    SELECT
        r.gp_referral_id, r.person_id, r.practice_code, r.referral_date, period_key(r.referral_date) AS period, r.declined,
        r.referral_date + 90 <= getvariable('data_end') AS declined_mature,
        r.schemes,
        g.imd_rank, g.imd_decile, g.imd_quintile, g.lsoa_status,
        coalesce(g.sex, 'unknown') AS sex,
        age_band(gp_age_at(g.born, g.age, r.referral_date)) AS age_band,
        coalesce(g.ethnic_group, 'not_stated') AS ethnic_group
    FROM refs r
    LEFT JOIN gp_registrations g
      ON g.person_id = r.person_id AND g.practice_code = r.practice_code
     AND g.registered_from <= r.referral_date AND coalesce(g.registered_to, DATE '9999-12-31') >= r.referral_date
    QUALIFY row_number() OVER (PARTITION BY r.gp_referral_id ORDER BY g.registered_from DESC NULLS LAST) = 1
)
SELECT 'ALL' AS scheme_id, a.* EXCLUDE (schemes) FROM attrs a
UNION ALL
SELECT unnest(a.schemes) AS scheme_id, a.* EXCLUDE (schemes) FROM attrs a
