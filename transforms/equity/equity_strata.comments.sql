-- Documentation of equity_strata and its columns.
COMMENT ON TABLE equity_strata IS 'Equity strata (design §4): each pathway measure''s numerator, denominator, value and 95% interval per scheme (and ALL) × period (and all) × stratum of IMD quintile and decile (1 = most deprived), age band, sex and ethnic group. Referrals younger than a measure''s follow-up window are left out of it and counted in immature.';
COMMENT ON COLUMN equity_strata.scheme_id IS 'Scheme, or ALL for every scheme together.';
COMMENT ON COLUMN equity_strata.period IS 'Reporting period of the referral date (YYYY-MM, YYYY-Qn, YYYY or FYyyyy-yy per config), or all for the whole span.';
COMMENT ON COLUMN equity_strata.dimension IS 'imd_quintile | imd_decile (ordered, 1 = most deprived) | age_band | sex | ethnic_group (unordered).';
COMMENT ON COLUMN equity_strata.stratum IS 'Stratum label: 1–5 or 1–10 for IMD (every one listed, empty ones with denominator 0); age band (e.g. 25-34, unknown); female | male | indeterminate | unknown; white | mixed | asian | black | other | not_stated (NHS 5+1 groups).';
COMMENT ON COLUMN equity_strata.measure IS 'reach | contacted | engaged | vcs_uptake | dna (reach only for the IMD dimensions).';
COMMENT ON COLUMN equity_strata.numerator IS 'reach: people referred (each once) from the catchment''s practices that are in the population extract; contacted: mature referrals with ≥ 1 link-worker contact within the window; engaged: with ≥ engaged_min_contacts contacts within the window; vcs_uptake: with ≥ 1 attended VCS session within the window; dna: with ≥ 1 link-worker DNA within the window.';
COMMENT ON COLUMN equity_strata.denominator IS 'reach: registered patients of the catchment living in the stratum (extract nearest the period mid-point; NULL when no population file is loaded); dna: mature referrals with ≥ 1 booked link-worker attendance; others: mature referrals.';
COMMENT ON COLUMN equity_strata.value IS 'numerator / denominator (a proportion), or people referred per 1,000 registered patients for reach; NULL when the denominator is 0 or unknown.';
COMMENT ON COLUMN equity_strata.lower IS 'Lower 95% limit of value: Wilson score (no continuity correction) for proportions; for reach exact Poisson below 10 people, else Byar''s method.';
COMMENT ON COLUMN equity_strata.upper IS 'Upper 95% limit of value (method as lower).';
COMMENT ON COLUMN equity_strata.immature IS 'Referrals in the stratum left out of the measure because referral_date + window is after data_end (dna: those with a booked link-worker attendance); 0 for reach.';
COMMENT ON COLUMN equity_strata.stratum_order IS 'Sort order of the stratum within its dimension (the IMD stratum number; the natural order of age bands, sex and ethnic groups, unknown last).';
COMMENT ON COLUMN equity_strata.unit IS 'proportion | per 1,000 registered patients.';
COMMENT ON COLUMN equity_strata.window_days IS 'Follow-up window of the measure in days (events count only inside it; referrals are mature once it has passed by data_end); NULL for reach.';
COMMENT ON COLUMN equity_strata.polarity IS 'favourable (higher is better) | adverse (dna: higher is worse).';
COMMENT ON COLUMN equity_strata.quantile_basis IS 'IMD dimensions: national (published deciles) or local (the catchment''s LSOAs ranked into population-weighted local fifths/tenths); NULL for unordered dimensions.';
