-- The shipped ONS LSOA 2011-2021 lookup.
-- Parameters: the materialised file's path.
INSERT INTO lsoa_lookup
SELECT LSOA11CD, LSOA21CD, CHGIND, LAD22CD
FROM read_csv(?, header = true, auto_detect = false, delim = ',', quote = '"',
    columns = {'LSOA11CD': 'VARCHAR', 'LSOA21CD': 'VARCHAR', 'CHGIND': 'VARCHAR', 'LAD22CD': 'VARCHAR'})
