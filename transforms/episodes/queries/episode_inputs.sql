-- What episode_metrics' fingerprint covers of the rows it reads beyond the referrals and
-- facts: the caps just built, the deprivation and the LSOA lookup rows.
SELECT
    (SELECT string_agg(scheme_id || '=' || coalesce(CAST(cap AS VARCHAR), '') || ':' || coalesce(cap_source, ''), ','
        ORDER BY scheme_id) FROM int_continuity_caps),
    (SELECT count(*) || ':' || CAST(coalesce(sum(CAST(hash(edition, lsoa_code, lsoa_vintage, imd_rank, imd_decile, imd_quintile,
        imd_score) AS HUGEINT)), 0) AS VARCHAR) FROM deprivation),
    (SELECT count(*) || ':' || CAST(coalesce(sum(CAST(hash(lsoa11_code, lsoa21_code) AS HUGEINT)), 0) AS VARCHAR)
        FROM lsoa_lookup)
