-- The bare DuckDB baseline: socrx's reads and its main aggregates, nothing else.
-- A "-- phase:" line starts a phase; the tool reports each phase's time.
-- phase: read
CREATE TABLE referrals AS SELECT * FROM read_csv('{{dir}}/referrals.csv', header = true, auto_detect = false,
    dateformat = '%d/%m/%Y', columns = {'referral_id': 'VARCHAR', 'person_id': 'VARCHAR', 'scheme_id': 'VARCHAR',
    'practice_code': 'VARCHAR', 'referral_date': 'DATE', 'referral_source': 'VARCHAR', 'referral_reason': 'VARCHAR',
    'outcome': 'VARCHAR', 'closed_date': 'DATE', 'lsoa_code': 'VARCHAR', 'sex': 'VARCHAR', 'age': 'INTEGER',
    'ethnic_category': 'VARCHAR'});
CREATE TABLE attendances AS SELECT * FROM read_csv('{{dir}}/attendances.csv', header = true, auto_detect = false,
    dateformat = '%d/%m/%Y', columns = {'attendance_id': 'VARCHAR', 'referral_id': 'VARCHAR', 'attendance_date': 'DATE',
    'setting': 'VARCHAR', 'status': 'VARCHAR', 'worker_id': 'VARCHAR', 'provider_id': 'VARCHAR',
    'activity_category': 'VARCHAR', 'mode': 'VARCHAR', 'person_id': 'VARCHAR'});
CREATE TABLE deprivation AS SELECT "LSOA code (2011)" AS lsoa_code,
    "Index of Multiple Deprivation (IMD) Decile" AS imd_decile,
    ("Index of Multiple Deprivation (IMD) Decile" + 1) // 2 AS imd_quintile
    FROM read_csv('{{imd}}', header = true);
-- phase: aggregate
-- per episode: contacts, workers, the concentration sums behind UPC/COC/HHI
CREATE TABLE episodes AS
WITH per_worker AS (
    SELECT referral_id, worker_id, count(DISTINCT attendance_date) AS n
    FROM attendances WHERE setting = 'link_worker' AND status = 'attended'
    GROUP BY ALL
), per_ref AS (
    SELECT referral_id, sum(n) AS contacts, count(worker_id) AS workers, max(n) AS max_n, sum(n * n) AS sum_sq
    FROM per_worker GROUP BY referral_id
), vcs AS (
    SELECT DISTINCT referral_id FROM attendances WHERE setting = 'vcs' AND status = 'attended'
)
SELECT r.referral_id, r.scheme_id, strftime(r.referral_date, '%Y') || '-Q' || quarter(r.referral_date) AS period,
    d.imd_quintile, coalesce(p.contacts, 0) AS contacts, p.workers,
    CASE WHEN p.contacts >= 2 THEN p.max_n / p.contacts END AS upc,
    CASE WHEN p.contacts >= 2 THEN (p.sum_sq - p.contacts) / (p.contacts * (p.contacts - 1)) END AS coc,
    v.referral_id IS NOT NULL AS vcs_uptake
FROM referrals r
LEFT JOIN deprivation d USING (lsoa_code)
LEFT JOIN per_ref p USING (referral_id)
LEFT JOIN vcs v USING (referral_id);
-- equity strata and continuity summary, every scheme × period × quintile with totals
CREATE TABLE strata AS
SELECT scheme_id, period, imd_quintile, count(*) AS referrals,
    count(*) FILTER (WHERE contacts >= 1) AS contacted, count(*) FILTER (WHERE contacts >= 3) AS engaged,
    count(*) FILTER (WHERE vcs_uptake) AS vcs, avg(upc) AS mean_upc, avg(coc) AS mean_coc,
    median(contacts) AS median_contacts
FROM episodes
GROUP BY CUBE (scheme_id, period, imd_quintile);
CREATE TABLE session_hist AS
SELECT scheme_id, period, contacts, count(*) AS episodes FROM episodes GROUP BY CUBE (scheme_id, period), contacts;
-- the report's tables as files
COPY strata TO '{{dir}}/../baseline_strata.csv' (HEADER);
COPY session_hist TO '{{dir}}/../baseline_sessions.csv' (HEADER);
CHECKPOINT;
