-- The people a nightly gp_referrals build recomputes: those with events loaded since the
-- last build (getvariable('gp_referrals_watermark'), its ingested-file watermark). A
-- person's referrals depend on that person's events alone.
CREATE OR REPLACE TEMP TABLE gp_referral_people AS
SELECT DISTINCT person_id
FROM gp_events
WHERE coalesce(source_file_id, 0) > getvariable('gp_referrals_watermark')
