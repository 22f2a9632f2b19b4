-- kind: view
-- reads: referrals, int_lsoa_resolved
-- One row per referral with everything the marts stratify by: reporting period, the
-- configured IoD edition's decile and quintile (int_lsoa_resolved), age band, sex, ethnic
-- group. A view, not a table: materialised it held about 210 bytes a referral in memory
-- (1 GB at 5M referrals, the whole default memory limit), and every later model read it
-- back from the spill; the view reads the compressed referrals table instead.
SELECT
    x.referral_id,
    x.person_id,
    x.scheme_id,
    x.practice_code,
    x.referral_date,
    period_key(x.referral_date) AS period,
    x.referral_source,
    x.outcome,
    x.closed_date,
    x.lsoa_code,
    p.lsoa_edition,
    p.lsoa_status,
    p.imd_rank,
    p.imd_score,
    p.imd_decile,
    p.imd_quintile,
    x.sex,
    x.age,
    CASE
        WHEN x.age IS NULL THEN 'unknown'
        WHEN x.age < 18 THEN '0-17'
        WHEN x.age < 25 THEN '18-24'
        WHEN x.age < 35 THEN '25-34'
        WHEN x.age < 45 THEN '35-44'
        WHEN x.age < 55 THEN '45-54'
        WHEN x.age < 65 THEN '55-64'
        WHEN x.age < 75 THEN '65-74'
        WHEN x.age < 85 THEN '75-84'
        ELSE '85+'
    END AS age_band,
    x.ethnic_category,
    -- NHS ethnic category → the 5+1 groups
    CASE
        WHEN x.ethnic_category IN ('A', 'B', 'C') THEN 'white'
        WHEN x.ethnic_category IN ('D', 'E', 'F', 'G') THEN 'mixed'
        WHEN x.ethnic_category IN ('H', 'J', 'K', 'L') THEN 'asian'
        WHEN x.ethnic_category IN ('M', 'N', 'P') THEN 'black'
        WHEN x.ethnic_category IN ('R', 'S') THEN 'other'
        ELSE 'not_stated'
    END AS ethnic_group
FROM referrals x
-- every referral finds its code's row, a missing code (NULL) included
LEFT JOIN int_lsoa_resolved p ON p.lsoa_code IS NOT DISTINCT FROM x.lsoa_code
