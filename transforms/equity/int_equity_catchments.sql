-- kind: temp
-- reads: cfg_scheme_practices, referrals
-- Each scheme's catchment (design §3.4), the practices whose registered patients are the
-- reach denominator: the practices configured for the scheme, else those that referred to
-- it in the period (for period 'all', in any period). Scheme 'ALL' is the union of every
-- scheme's catchment. Built from the core referrals table with the same period_key as
-- int_referrals.
WITH configured AS (
    SELECT DISTINCT scheme_id, upper(trim(practice_code)) AS practice_code
    FROM cfg_scheme_practices
    WHERE practice_code IS NOT NULL AND trim(practice_code) <> ''
),
referring AS (
    SELECT DISTINCT scheme_id, period_key(referral_date) AS period, upper(trim(practice_code)) AS practice_code
    FROM referrals
    WHERE referral_date IS NOT NULL AND practice_code IS NOT NULL
),
periods AS (
    SELECT DISTINCT period FROM referring
    UNION ALL
    SELECT 'all'
),
per_scheme AS (
    -- configured schemes: the same list in every period
    SELECT s.scheme_id, p.period, c.practice_code, true AS configured
    FROM (SELECT DISTINCT scheme_id FROM referring) s
    JOIN configured c USING (scheme_id)
    CROSS JOIN periods p
    UNION ALL
    -- the rest: whoever referred, in the period and over the whole span
    SELECT r.scheme_id, r.period, r.practice_code, false
    FROM referring r
    WHERE NOT EXISTS (SELECT 1 FROM configured c WHERE c.scheme_id = r.scheme_id)
    UNION ALL
    SELECT r.scheme_id, 'all', r.practice_code, false
    FROM referring r
    WHERE NOT EXISTS (SELECT 1 FROM configured c WHERE c.scheme_id = r.scheme_id)
)
SELECT DISTINCT scheme_id, period, practice_code, configured FROM per_scheme
UNION ALL
SELECT DISTINCT 'ALL', period, practice_code, NULL::BOOLEAN FROM per_scheme
