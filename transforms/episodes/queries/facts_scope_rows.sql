-- An incremental build's referrals: those with a referral or attendance row loaded from a
-- file after the last build's watermark ($1).
CREATE OR REPLACE TEMP TABLE facts_scope_rows AS
SELECT referral_id, referral_date
FROM referrals
WHERE referral_id IN (
    SELECT referral_id FROM referrals WHERE source_file_id > $1
    UNION
    SELECT referral_id FROM attendances WHERE source_file_id > $1
)
