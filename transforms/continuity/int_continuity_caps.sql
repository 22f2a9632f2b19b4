-- kind: temp
-- reads: int_referrals, referral_facts, cfg_schemes, episode_closed
-- int_continuity_caps: the session count k that cap heaping is measured at, per scheme
-- and for ALL. k is the configured session_cap, else the most common count among closed
-- episodes with 3 or more contacts (ties to the smaller count). One k per scheme across
-- all periods: a cap is a scheme's rule, and a per-period mode of a few episodes would
-- wander. Built before episode_metrics (whose closed_at_cap needs it) from the same
-- inputs and the same episode_closed definition.
WITH episodes AS (
    SELECT
        r.scheme_id,
        coalesce(f.lw_contacts, 0) AS lw_contacts,
        episode_closed(r.outcome, r.closed_date, f.last_contact_date, r.referral_date) AS closed
    FROM int_referrals r
    LEFT JOIN referral_facts f USING (referral_id)
),
schemes AS (
    SELECT DISTINCT scheme_id FROM episodes
),
configured AS (
    SELECT s.scheme_id, min(c.session_cap) AS session_cap
    FROM schemes s
    LEFT JOIN cfg_schemes c USING (scheme_id)
    GROUP BY s.scheme_id
),
closed_counts AS (
    SELECT scheme_id, lw_contacts, count(*) AS n
    FROM episodes
    WHERE closed AND lw_contacts >= 3
    GROUP BY scheme_id, lw_contacts
),
hist AS (
    SELECT scheme_id, lw_contacts, n FROM closed_counts
    UNION ALL
    SELECT 'ALL', lw_contacts, sum(n) FROM closed_counts GROUP BY lw_contacts
),
modes AS (
    SELECT scheme_id, lw_contacts AS mode_contacts
    FROM hist
    QUALIFY row_number() OVER (PARTITION BY scheme_id ORDER BY n DESC, lw_contacts) = 1
),
caps AS (
    SELECT scheme_id, session_cap FROM configured
    UNION ALL
    -- ALL schemes share a configured cap only when every scheme has the same one
    SELECT 'ALL', CASE WHEN count(*) = count(session_cap) AND count(DISTINCT session_cap) = 1
                       THEN min(session_cap) END
    FROM configured
)
SELECT
    c.scheme_id,
    coalesce(c.session_cap, m.mode_contacts) AS cap,
    CASE WHEN c.session_cap IS NOT NULL THEN 'configured'
         WHEN m.mode_contacts IS NOT NULL THEN 'mode' END AS cap_source
FROM caps c
LEFT JOIN modes m USING (scheme_id)
