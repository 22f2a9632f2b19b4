-- The shipped ONS LSOA 2011↔2021 lookup (path in getvariable('modeltest_lookup')).
INSERT INTO lsoa_lookup
SELECT LSOA11CD, LSOA21CD, CHGIND, LAD22CD
FROM read_csv(getvariable('modeltest_lookup'), header = true, all_varchar = true)
