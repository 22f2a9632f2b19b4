-- Each row with the event its id was made from (the episode's first code), found by
-- recomputing the id from every event: proves the id is the person's and first key's.
SELECT
    (SELECT e.event_id FROM gp_events e
     WHERE 'gpr_' || left(md5(e.person_id || '|' || e.event_key), 20) = r.gp_referral_id) AS first_event,
    r.person_id, r.practice_code, r.scheme_id, r.period, r.referral_date, r.declined, r.declined_date,
    r.codes, r.decline_codes, r.offer_declined
FROM gp_referrals r
