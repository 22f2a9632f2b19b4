-- kind: temp
-- reads: int_gp_referral_attrs, referrals, int_gp_linked_end
-- Referrals lost between sectors (design §12), one row per GP-coded referral and scheme
-- it counts under (int_gp_referral_attrs): seen when the platform holds a referral of the
-- same person dated from 30 days before the GP code (coding may follow the referral, as
-- in coding completeness) to 60 days after it; mature when the GP referral date + 60 is
-- on or before int_gp_linked_end. Empty unless gp.linked is set.
WITH seen AS (
    SELECT DISTINCT a.gp_referral_id
    FROM (SELECT DISTINCT gp_referral_id, person_id, referral_date FROM int_gp_referral_attrs) a
    JOIN referrals r ON r.person_id = a.person_id
     AND r.referral_date BETWEEN a.referral_date - 30 AND a.referral_date + 60
    WHERE getvariable('gp_linked')
)
SELECT a.scheme_id, a.period, a.practice_code, a.gp_referral_id,
    a.referral_date + 60 <= e.linked_end AS mature,
    s.gp_referral_id IS NULL AS lost
FROM int_gp_referral_attrs a
CROSS JOIN int_gp_linked_end e
LEFT JOIN seen s USING (gp_referral_id)
WHERE getvariable('gp_linked') AND EXISTS (SELECT 1 FROM referrals)
