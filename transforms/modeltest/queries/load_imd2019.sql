-- The shipped IoD2019 file (path in getvariable('modeltest_imd')) as deprivation rows;
-- quintile = (decile + 1) // 2.
INSERT INTO deprivation (edition, lsoa_code, lsoa_vintage, imd_rank, imd_decile, imd_quintile)
SELECT 'IoD2019', "LSOA code (2011)", 2011, "Index of Multiple Deprivation (IMD) Rank",
    "Index of Multiple Deprivation (IMD) Decile", ("Index of Multiple Deprivation (IMD) Decile" + 1) // 2
FROM read_csv(getvariable('modeltest_imd'), header = true)
