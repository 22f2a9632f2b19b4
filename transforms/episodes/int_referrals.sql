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
    age_band(x.age) AS age_band,
    x.ethnic_category,
    -- NHS ethnic category → the 5+1 groups
    ethnic_group(CAST(x.ethnic_category AS VARCHAR)) AS ethnic_group
FROM referrals x
-- every referral finds its code's row, a missing code (NULL) included
LEFT JOIN int_lsoa_resolved p ON p.lsoa_code IS NOT DISTINCT FROM x.lsoa_code
