-- kind: temp
-- reads: int_referrals, gp_events, codelist_codes, gp_registrations, int_gp_linked_end, gp_code_system_matches
-- Coding completeness (design §12), one row per platform referral from general practice
-- (referral_source gp) whose person was registered at a practice on the GP list on the
-- referral date: coded when the person's GP record holds a referral code (codelist role
-- sp_referral) within 30 days either side of the referral date; mature when referral date
-- + 30 is on or before int_gp_linked_end. Empty unless gp.linked is set: without one
-- pseudonym across the sources, a missing code would only be a missing link.
WITH codes AS (
    SELECT DISTINCT e.person_id, e.event_date
    FROM gp_events e
    JOIN codelist_codes c ON c.code = e.code AND c.role = 'sp_referral' AND gp_code_system_matches(e.code_system, c.code)
    WHERE getvariable('gp_linked')
),
refs AS (
    SELECT r.referral_id, r.person_id, r.scheme_id, r.period, upper(trim(r.practice_code)) AS practice_code, r.referral_date
    FROM int_referrals r
    SEMI JOIN gp_registrations g
      ON g.person_id = r.person_id AND g.registered_from <= r.referral_date
     AND coalesce(g.registered_to, DATE '9999-12-31') >= r.referral_date
    WHERE getvariable('gp_linked') AND r.referral_source = 'gp' AND r.referral_date IS NOT NULL
),
coded AS (
    SELECT DISTINCT r.referral_id
    FROM refs r
    JOIN codes c ON c.person_id = r.person_id AND c.event_date BETWEEN r.referral_date - 30 AND r.referral_date + 30
)
SELECT r.*, r.referral_date + 30 <= e.linked_end AS mature, c.referral_id IS NOT NULL AS coded
FROM refs r
CROSS JOIN int_gp_linked_end e
LEFT JOIN coded c USING (referral_id)
