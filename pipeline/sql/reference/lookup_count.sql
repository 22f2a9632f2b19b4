-- How many rows the ONS LSOA 2011-2021 lookup has.
SELECT count(*) FROM lsoa_lookup
