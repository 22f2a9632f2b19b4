-- kind: temp
-- reads: int_equity_catchments, int_registered_population, deprivation
-- Registered population by scheme catchment × period × practice × LSOA, the reach
-- denominator (design §3.4): each catchment practice's registered patients
-- (int_registered_population, the one rule), summed by the readers over the catchment's
-- practices. Each LSOA carries the configured edition's rank, decile and quintile; LSOAs
-- the edition lacks (another vintage, CLOSED = unallocated) keep NULL deprivation and are
-- counted as unmatched. A catchment practice missing from the extract has no rows, and
-- its referrals are left out of the reach numerator too, so numerator and denominator
-- cover the same practices.
SELECT
    c.scheme_id,
    c.period,
    r.extract_date,
    c.practice_code,
    r.lsoa_code,
    r.patients,
    d.imd_rank,
    d.imd_decile,
    d.imd_quintile
FROM int_equity_catchments c
JOIN int_registered_population r ON r.period = c.period AND r.practice_code = c.practice_code
LEFT JOIN deprivation d ON d.edition = getvariable('edition') AND d.lsoa_code = r.lsoa_code
