-- A removed referral's outcomes (those that name it) go with it.
DELETE FROM outcomes WHERE referral_id IN (SELECT id FROM removed_ids)
