-- Documentation of practice_variation and its columns.
COMMENT ON TABLE practice_variation IS 'Practice variation (design §5): per scheme (and ALL) × period (and all) × practice, the contacted proportion and the referral rate per 1,000 registered (when a population file is loaded), with funnel limits around the scheme × period average as PHEindicatormethods calculate_funnel_limits (Wilson-score limits for proportions, exact Poisson for rates).';
COMMENT ON COLUMN practice_variation.scheme_id IS 'SP scheme, or ALL.';
COMMENT ON COLUMN practice_variation.period IS 'Reporting period, or all.';
COMMENT ON COLUMN practice_variation.practice_code IS 'ODS code of the referring practice (upper case); includes practices configured for the scheme that did not refer.';
COMMENT ON COLUMN practice_variation.measure IS 'contacted (first contact within window_contacted days, among referrals at least that old) or referral_rate (referrals per 1,000 registered patients); from the GP record (design §12) gp_referral_rate (GP-coded referrals per 1,000 registered at the period''s mid-point) and, with gp.linked, gp_coding_completeness (platform referrals from general practice with a GP referral code within 30 days either side / those 30 days old) and gp_lost_between_sectors (GP-coded referrals the platform did not see from 30 days before to 60 days after / those 60 days old).';
COMMENT ON COLUMN practice_variation.numerator IS 'contacted: referrals contacted within the window; referral_rate: referrals.';
COMMENT ON COLUMN practice_variation.denominator IS 'contacted: referrals old enough for the window; referral_rate: registered patients in the population extract nearest the period mid-point (NULL when the practice is not in it).';
COMMENT ON COLUMN practice_variation.value IS 'contacted: proportion 0–1; referral_rate: per 1,000 registered patients (not annualised).';
COMMENT ON COLUMN practice_variation.lower95 IS 'Lower 95% funnel limit at this denominator (two-sided tail 0.025).';
COMMENT ON COLUMN practice_variation.upper95 IS 'Upper 95% funnel limit.';
COMMENT ON COLUMN practice_variation.lower998 IS 'Lower 99.8% funnel limit (two-sided tail 0.001).';
COMMENT ON COLUMN practice_variation.upper998 IS 'Upper 99.8% funnel limit.';
COMMENT ON COLUMN practice_variation.outlier IS 'Value outside the 99.8% limits; NULL without a denominator.';
COMMENT ON COLUMN practice_variation.baseline IS 'Scheme × period average the funnel is drawn around: sum of numerators / sum of denominators (× 1,000 for rates).';
COMMENT ON COLUMN practice_variation.significance IS 'As PHE assign_funnel_significance, lower case: high (0.001), high (0.025), low (0.001), low (0.025), not significant.';
COMMENT ON COLUMN practice_variation.unit IS 'Unit of value and limits.';
COMMENT ON COLUMN practice_variation.listed IS 'The practice is configured for the scheme (any scheme, for ALL).';
