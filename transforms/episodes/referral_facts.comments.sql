-- Column documentation of referral_facts and of transform_state, where the incremental
-- models record how they were last built (design §8).
COMMENT ON TABLE referral_facts IS 'Kept between runs so a nightly transform reads only new rows: one row per referral with what the marts need from its attendances (link-worker contacts by the one contact definition, worker concentration sums, bookings, and the equity window counts from the referral date). Internal to socrx: analyse episode_metrics and the marts instead.';
COMMENT ON COLUMN referral_facts.contacts_in_contacted_window IS 'Link-worker contacts from the referral date to the contacted window''s end (indicators.windows.contacted).';
COMMENT ON COLUMN referral_facts.contacts_in_engaged_window IS 'Link-worker contacts from the referral date to the engaged window''s end (indicators.windows.engaged).';
COMMENT ON COLUMN referral_facts.vcs_in_window IS 'An attended VCS session inside the VCS uptake window.';
COMMENT ON COLUMN referral_facts.lw_booked_in_window IS 'A link-worker booking (any status) within 180 days of referral.';
COMMENT ON COLUMN referral_facts.lw_dna_in_window IS 'A link-worker DNA within 180 days of referral.';
COMMENT ON TABLE transform_state IS 'How each incremental model was last built: its definition fingerprint, the last ingested file it covers, row counts and checksums of the rows it read, full or incremental, how many referrals it recomputed, and (episode_metrics) the data_end it was built for.';
