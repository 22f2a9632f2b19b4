-- Everything gp_registered is computed from but its periods (built as they come, see
-- gp_registered.go), as one text for its fingerprint: the registered list (count and
-- checksum of every row), the configured deprivation edition and the LSOA lookup, the
-- ethnicity codelist, the schemes' practices and their local quantile cuts.
SELECT concat_ws('|',
    (SELECT count(*) || ':' || coalesce(CAST(sum(hash(person_id, practice_code, registered_from, registered_to, lsoa_code,
        sex, age, birth_month, ethnic_category, ethnicity_code)) AS VARCHAR), '') FROM gp_patients),
    getvariable('edition'),
    (SELECT count(*) || ':' || coalesce(CAST(sum(hash(lsoa_code, imd_rank, imd_decile, imd_quintile, lsoa_vintage)) AS VARCHAR), '')
        FROM deprivation WHERE edition = getvariable('edition')),
    (SELECT count(*) || ':' || coalesce(CAST(sum(hash(lsoa11_code, lsoa21_code)) AS VARCHAR), '') FROM lsoa_lookup),
    (SELECT coalesce(string_agg(code || '=' || coalesce(category, ''), ',' ORDER BY code, category), '')
        FROM codelist_codes WHERE role = 'ethnicity'),
    (SELECT coalesce(string_agg(scheme_id || ':' || upper(trim(practice_code)), ',' ORDER BY scheme_id, upper(trim(practice_code))), '')
        FROM cfg_scheme_practices),
    (SELECT coalesce(string_agg(concat_ws(':', scheme_id, quantiles, stratum, lo_rank, hi_rank), ','
        ORDER BY scheme_id, quantiles, stratum), '') FROM int_equity_quantile_cuts)
)
