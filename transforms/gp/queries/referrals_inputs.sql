-- What gp_referrals reads besides the events, as one text for its fingerprint: the codes
-- of the roles sp_referral and sp_declined, and the practices each scheme lists. A change
-- to either can move any person's referrals, so it rebuilds them all.
SELECT
    (SELECT count(*) || ':' || CAST(coalesce(sum(CAST(hash(role, code) AS HUGEINT)), 0) AS VARCHAR)
     FROM codelist_codes WHERE role IN ('sp_referral', 'sp_declined'))
    || '|' ||
    (SELECT count(*) || ':' || CAST(coalesce(sum(CAST(hash(scheme_id, upper(trim(practice_code))) AS HUGEINT)), 0) AS VARCHAR)
     FROM (SELECT DISTINCT scheme_id, practice_code FROM cfg_scheme_practices))
