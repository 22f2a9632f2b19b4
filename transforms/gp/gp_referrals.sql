-- One row per GP-coded referral (design §12) and scheme that lists its practice, and one
-- per offer declined: the episodes the GP record's social prescribing codes make.
--   - A referral code (codelist role sp_referral) more than 30 days after the person's
--     previous referral code starts a referral; one within 30 days extends it, so the
--     window chains. referral_date, practice_code and the id come from its first code.
--   - A decline code (role sp_declined) belongs to the person's latest referral whose
--     referral_date is on or up to 90 days before it: that referral is declined, on its
--     first such decline. A decline with no referral dated in the 90 days before it is an
--     offer declined: a row with offer_declined true and no referral_date; its decline
--     codes chain by the same 30-day rule, so a decline coded twice is one offer.
--   - scheme_id is each scheme whose configured practices list the practice, or NULL
--     when none does (such rows count under scheme ALL only).
-- The episodes of a person depend on that person's events alone, which lets a nightly
-- build recompute only the people with events loaded since (gp_referrals.go).
-- gp_referral_events are the events read: every one on a full build, else those people's.
WITH coded AS (
    -- the code system must fit the codelist code's shape (gp_code_system_matches); a code
    -- listed in both roles counts as a referral
    SELECT
        e.person_id,
        e.practice_code,
        e.event_date,
        coalesce(e.event_key, 'key|' || e.person_id || '|' || CAST(e.event_date AS VARCHAR) || '|' || e.code) AS k,
        bool_or(c.role = 'sp_referral') AS is_referral
    FROM gp_referral_events e
    JOIN codelist_codes c
      ON c.code = e.code
     AND c.role IN ('sp_referral', 'sp_declined')
     AND gp_code_system_matches(e.code_system, c.code)
    GROUP BY ALL
),
referral_codes AS (
    SELECT *, lag(event_date) OVER (PARTITION BY person_id ORDER BY event_date, k) AS prev
    FROM coded
    WHERE is_referral
),
referral_chains AS (
    SELECT *,
        sum(CASE WHEN prev IS NULL OR event_date - prev > 30 THEN 1 ELSE 0 END)
            OVER (PARTITION BY person_id ORDER BY event_date, k ROWS UNBOUNDED PRECEDING) AS chain
    FROM referral_codes
),
referrals AS (
    SELECT
        person_id,
        min(event_date) AS referral_date,
        arg_min(k, {'d': event_date, 'k': k}) AS first_key,
        arg_min(practice_code, {'d': event_date, 'k': k}) AS practice_code,
        count(*) AS codes
    FROM referral_chains
    GROUP BY person_id, chain
),
declines AS (
    -- each decline code with the person's latest referral dated on or before it (a
    -- referral sorts before a decline of its day); a window, as an ASOF join ran ~20 times
    -- slower here
    SELECT d.person_id, d.practice_code, d.event_date, d.k, r.first_key AS referral_key,
        d.event_date - r.referral_date <= 90 AS attached
    FROM (
        SELECT *,
            max(referral_date) OVER (PARTITION BY person_id ORDER BY event_date, is_referral DESC
                ROWS UNBOUNDED PRECEDING) AS last_referral
        FROM (
            SELECT person_id, practice_code, event_date, k, false AS is_referral, CAST(NULL AS DATE) AS referral_date
            FROM coded
            WHERE NOT is_referral
            UNION ALL
            SELECT person_id, practice_code, referral_date, first_key, true, referral_date
            FROM referrals
        )
    ) d
    -- a person's referrals are more than 30 days apart: one per date
    LEFT JOIN referrals r ON r.person_id = d.person_id AND r.referral_date = d.last_referral
    WHERE NOT d.is_referral
),
referral_declines AS (
    SELECT person_id, referral_key, min(event_date) AS declined_date, count(*) AS decline_codes
    FROM declines
    WHERE attached
    GROUP BY person_id, referral_key
),
offer_codes AS (
    SELECT *, lag(event_date) OVER (PARTITION BY person_id ORDER BY event_date, k) AS prev
    FROM declines
    WHERE attached IS NOT TRUE
),
offer_chains AS (
    SELECT *,
        sum(CASE WHEN prev IS NULL OR event_date - prev > 30 THEN 1 ELSE 0 END)
            OVER (PARTITION BY person_id ORDER BY event_date, k ROWS UNBOUNDED PRECEDING) AS chain
    FROM offer_codes
),
episodes AS (
    SELECT r.person_id, r.first_key, r.practice_code, r.referral_date, d.declined_date IS NOT NULL AS declined,
        d.declined_date, r.codes, coalesce(d.decline_codes, 0) AS decline_codes, false AS offer_declined
    FROM referrals r
    LEFT JOIN referral_declines d ON d.person_id = r.person_id AND d.referral_key = r.first_key
    UNION ALL
    SELECT person_id, arg_min(k, {'d': event_date, 'k': k}), arg_min(practice_code, {'d': event_date, 'k': k}), NULL, true,
        min(event_date), 0, count(*), true
    FROM offer_chains
    GROUP BY person_id, chain
),
listed AS (
    SELECT DISTINCT scheme_id, upper(trim(practice_code)) AS practice_code FROM cfg_scheme_practices
)
SELECT
    -- from the person and the first code's event key: stable from run to run
    'gpr_' || left(md5(e.person_id || '|' || e.first_key), 20) AS gp_referral_id,
    e.person_id,
    e.practice_code,
    s.scheme_id,
    period_key(coalesce(e.referral_date, e.declined_date)) AS period,
    e.referral_date,
    e.declined,
    e.declined_date,
    CAST(e.codes AS INTEGER) AS codes,
    CAST(e.decline_codes AS INTEGER) AS decline_codes,
    e.offer_declined
FROM episodes e
LEFT JOIN listed s ON s.practice_code = upper(trim(e.practice_code))
