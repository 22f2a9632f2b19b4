-- Documentation of session_counts and its columns.
COMMENT ON TABLE session_counts IS 'Distribution of link-worker contacts per episode (0, 1, 2, …) per scheme (and ALL) × period (and all), design §5.';
COMMENT ON COLUMN session_counts.scheme_id IS 'SP scheme, or ALL.';
COMMENT ON COLUMN session_counts.period IS 'Reporting period, or all.';
COMMENT ON COLUMN session_counts.contacts IS 'Link-worker contacts in the episode (episode_metrics.lw_contacts).';
COMMENT ON COLUMN session_counts.episodes IS 'Episodes with that many contacts.';
COMMENT ON COLUMN session_counts.closed_episodes IS 'Of those, closed episodes (the cap-heaping population).';
