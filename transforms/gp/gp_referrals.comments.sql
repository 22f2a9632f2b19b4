-- Documentation of gp_referrals and its columns.
COMMENT ON TABLE gp_referrals IS 'GP-coded referrals to social prescribing and offers declined, from the codes of codelist roles sp_referral and sp_declined in gp_events (design §12): one row per episode and scheme whose configured practices list its practice (scheme_id NULL when none does: counted under scheme ALL only). A referral code within 30 days of the person''s previous one extends its referral (the window chains); a decline code belongs to the latest referral dated on or up to 90 days before it, and a decline with none is an offer declined (offer_declined true, referral_date NULL). Built incrementally (transform_state).';
COMMENT ON COLUMN gp_referrals.gp_referral_id IS 'Stable id from the person and the event key of the episode''s first code (gpr_ and 20 hex digits); repeated when several schemes list the practice.';
COMMENT ON COLUMN gp_referrals.person_id IS 'Pseudonymised person, as in gp_events.';
COMMENT ON COLUMN gp_referrals.practice_code IS 'Practice of the episode''s first code.';
COMMENT ON COLUMN gp_referrals.scheme_id IS 'A scheme whose configured practices list practice_code; NULL when no scheme lists it (the episode counts under ALL only; ALL counts each gp_referral_id once).';
COMMENT ON COLUMN gp_referrals.period IS 'Reporting period of referral_date (of declined_date for an offer declined), as the configured period.';
COMMENT ON COLUMN gp_referrals.referral_date IS 'Date of the first referral code of the referral; NULL for an offer declined.';
COMMENT ON COLUMN gp_referrals.declined IS 'True when a decline code falls on or up to 90 days after referral_date (always true for an offer declined).';
COMMENT ON COLUMN gp_referrals.declined_date IS 'Date of the first such decline code; for an offer declined, of its first decline code. NULL when not declined.';
COMMENT ON COLUMN gp_referrals.codes IS 'Referral codes in the referral (0 for an offer declined).';
COMMENT ON COLUMN gp_referrals.decline_codes IS 'Decline codes that belong to the episode.';
COMMENT ON COLUMN gp_referrals.offer_declined IS 'True for a decline with no referral dated in the 90 days before it: social prescribing offered (not coded as referred) and declined. False for a coded referral.';
