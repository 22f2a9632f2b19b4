-- The events a nightly gp_referrals build reads: every event of the people it recomputes.
CREATE OR REPLACE TEMP VIEW gp_referral_events AS
SELECT * FROM gp_events SEMI JOIN gp_referral_people USING (person_id)
