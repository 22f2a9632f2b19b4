-- pairs_prior: the referrals a nightly outcome_pairs build re-pairs (pair_scope), each
-- with what int_equity_measured_strata reads of its pairs as they were before (the
-- earliest baseline of any measure, and whether any measure had a follow-up; NULL and
-- false with no baseline), so that an incremental count of who gets measured can take
-- them out as they were.
CREATE OR REPLACE TEMP TABLE pairs_prior AS
SELECT s.referral_id, min(p.baseline_date) AS baseline_date, coalesce(bool_or(p.followup_date IS NOT NULL), false) AS followed_up
FROM pair_scope s
LEFT JOIN outcome_pairs p ON p.referral_id = s.referral_id AND p.baseline_date IS NOT NULL
GROUP BY s.referral_id
