-- kind: table
-- reads: gp_events, codelist_codes
-- Codes seen in GP events that are in no codelist of any role (design §3.6, §8), with how
-- many events and people carry each: a local code for a social prescription shows up
-- here instead of being silently left out of the counts. Rebuilt whole by every
-- transform, as the codelists are loaded whole by every ingest.
SELECT e.code, e.code_system, count(*) AS events, count(DISTINCT e.person_id) AS people
FROM gp_events e
WHERE NOT EXISTS (SELECT 1 FROM codelist_codes c WHERE c.code = e.code)
GROUP BY e.code, e.code_system
ORDER BY events DESC, e.code, e.code_system
