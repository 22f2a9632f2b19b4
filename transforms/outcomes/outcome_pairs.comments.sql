-- Documentation of outcome_pairs and its columns (design §8, §11).
COMMENT ON TABLE outcome_pairs IS 'One row per referral × measure with at least one assessment: the baseline and follow-up chosen by stage when recorded, else by the windows of design §11. Observational: no comparison group.';
COMMENT ON COLUMN outcome_pairs.referral_id IS 'Referral (episode) the assessments belong to.';
COMMENT ON COLUMN outcome_pairs.scheme_id IS 'SP scheme of the referral.';
COMMENT ON COLUMN outcome_pairs.period IS 'Reporting period of the referral date.';
COMMENT ON COLUMN outcome_pairs.measure IS 'ons4_satisfied | ons4_worthwhile | ons4_happy | ons4_anxious | swemwbs | wemwbs | ucla3.';
COMMENT ON COLUMN outcome_pairs.baseline_date IS 'Date of the baseline assessment; NULL when none qualifies.';
COMMENT ON COLUMN outcome_pairs.baseline_score IS 'Baseline score (SWEMWBS on the metric scale).';
COMMENT ON COLUMN outcome_pairs.followup_date IS 'Date of the follow-up assessment: the latest qualifying one on or before data_end.';
COMMENT ON COLUMN outcome_pairs.followup_score IS 'Follow-up score (SWEMWBS on the metric scale).';
COMMENT ON COLUMN outcome_pairs.change IS 'followup_score − baseline_score; for ons4_anxious and ucla3 a fall is an improvement.';
COMMENT ON COLUMN outcome_pairs.pair_status IS 'paired | no_baseline | no_follow_up (the window passed without one) | follow_up_open (none yet, the window still open).';
COMMENT ON COLUMN outcome_pairs.follow_up_days IS 'Days from baseline to follow-up.';
COMMENT ON COLUMN outcome_pairs.imd_quintile IS 'IMD quintile of the referral (1 = most deprived), as episode_metrics has it; NULL when excluded. The stratum outcome_change counts the pair under for dimension imd_quintile.';
COMMENT ON COLUMN outcome_pairs.age_band IS 'Age band of the referral: the stratum for dimension age_band.';
COMMENT ON COLUMN outcome_pairs.sex IS 'Sex group of the referral: the stratum for dimension sex.';
COMMENT ON COLUMN outcome_pairs.ethnic_group IS 'Ethnic group of the referral (NHS categories grouped): the stratum for dimension ethnic_group.';
COMMENT ON COLUMN outcome_pairs.continuity IS 'Continuity of the episode''s link working (design §11): single_worker (UPC = 1), mostly_one (0.5 ≤ UPC < 1) or dispersed (UPC < 0.5) among episodes with 3 or more contacts with a recorded worker, else under_three_contacts.';
COMMENT ON COLUMN outcome_pairs.ended_at_cap IS 'yes when the episode ended exactly at the session cap, no when not, NULL with no cap decision: the stratum for dimension ended_at_cap.';
