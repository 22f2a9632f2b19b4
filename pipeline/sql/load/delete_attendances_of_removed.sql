-- A removed referral's attendances go with it.
DELETE FROM attendances WHERE referral_id IN (SELECT id FROM removed_ids)
