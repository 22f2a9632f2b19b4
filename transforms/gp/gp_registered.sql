-- The denominators of the GP rates (design §12), folded: per scheme (each scheme whose
-- configured practices list the practice, and ALL for every practice on the list) ×
-- period × practice × stratum, the people registered at the period's mid-point
-- (int_gp_periods). A person with two registrations over a mid-point counts once, at the
-- later one. Registrations are folded by everything the strata need before they meet the
-- periods, and only the few people with more than one registration are looked at one by
-- one (a row per person and period, ranked, cost seconds at a million referrals). Kept
-- between runs: gp_registered.go rebuilds it only when what it reads or this SQL changes.
WITH several AS (
    SELECT person_id FROM int_gp_registrations GROUP BY person_id HAVING count(*) > 1
),
single AS (
    SELECT practice_code, registered_from, coalesce(registered_to, DATE '9999-12-31') AS registered_to,
        imd_rank, imd_decile, imd_quintile, lsoa_status, sex, ethnic_group, born, age, count(*) AS people
    FROM int_gp_registrations
    ANTI JOIN several USING (person_id)
    GROUP BY ALL
),
single_at_mid AS (
    SELECT pe.period, s.practice_code, s.imd_rank, s.imd_decile, s.imd_quintile, s.lsoa_status, s.sex, s.ethnic_group,
        gp_age_at(s.born, s.age, pe.mid) AS age_now, s.people
    FROM int_gp_periods pe
    JOIN single s ON s.registered_from <= pe.mid AND s.registered_to >= pe.mid
),
several_at_mid AS (
    SELECT pe.period, r.practice_code, r.imd_rank, r.imd_decile, r.imd_quintile, r.lsoa_status, r.sex, r.ethnic_group,
        gp_age_at(r.born, r.age, pe.mid) AS age_now, 1 AS people
    FROM int_gp_periods pe
    JOIN (SELECT * FROM int_gp_registrations SEMI JOIN several USING (person_id)) r
      ON r.registered_from <= pe.mid AND coalesce(r.registered_to, DATE '9999-12-31') >= pe.mid
    QUALIFY row_number() OVER (PARTITION BY pe.period, r.person_id ORDER BY r.registered_from DESC, r.practice_code) = 1
),
at_mid AS (
    SELECT period, practice_code, imd_rank, imd_decile, imd_quintile, lsoa_status, age_band(age_now) AS age_band, sex,
        ethnic_group, sum(people) AS patients
    FROM (SELECT * FROM single_at_mid UNION ALL SELECT * FROM several_at_mid)
    GROUP BY ALL
),
listed AS (
    SELECT DISTINCT scheme_id, upper(trim(practice_code)) AS practice_code FROM cfg_scheme_practices
)
SELECT 'ALL' AS scheme_id, a.* FROM at_mid a
UNION ALL
SELECT l.scheme_id, a.* FROM at_mid a JOIN listed l USING (practice_code)
