-- The events a full gp_referrals build reads: every one.
CREATE OR REPLACE TEMP VIEW gp_referral_events AS SELECT * FROM gp_events
