-- Core and meta tables: the researchers' contract (design §8). Idempotent.
-- No PRIMARY KEY constraints: ingest enforces uniqueness itself, and DuckDB's ART
-- constraints make delete-then-reinsert corrections within one transaction fail.
-- The contract's closed sets (connectors.Contract) are stored as ENUMs of their values in
-- byte order (connectors.EnumType; a pipeline test checks they agree): a byte a row to write
-- where text costs as much as an id, and they read and compare as text. A database made
-- before keeps its VARCHAR columns, which take the same values.

CREATE TABLE IF NOT EXISTS runs (
    run_id        BIGINT,
    job           VARCHAR,
    trigger       VARCHAR,
    logical_date  TIMESTAMP,
    started_at    TIMESTAMP,
    finished_at   TIMESTAMP,
    status        VARCHAR,
    error         VARCHAR,
    code_version  VARCHAR,
    steps         VARCHAR,
    input_hashes  VARCHAR,
    pid           INTEGER
);

CREATE TABLE IF NOT EXISTS ingested_files (
    file_id        BIGINT,
    source         VARCHAR,
    kind           VARCHAR,
    path           VARCHAR,
    sha256         VARCHAR,
    bytes          BIGINT,
    rows_loaded    BIGINT,
    rows_rejected  BIGINT,
    rows_replaced  BIGINT,
    rows_deleted   BIGINT,
    run_id         BIGINT,
    superseded     BOOLEAN,
    modified_ns    BIGINT
);
-- databases created before modified_ns
ALTER TABLE ingested_files ADD COLUMN IF NOT EXISTS modified_ns BIGINT;
-- added with reloads under changed settings, and masking of identifiers in free text
ALTER TABLE ingested_files ADD COLUMN IF NOT EXISTS settings VARCHAR;
ALTER TABLE ingested_files ADD COLUMN IF NOT EXISTS values_masked BIGINT;

-- how the incremental models (referral_facts, episode_metrics, equity_strata) were last
-- built; see transforms/episodes and transforms/equity/strata_plan.go
CREATE TABLE IF NOT EXISTS transform_state (
    model           VARCHAR,
    fingerprint     VARCHAR,
    max_file_id     BIGINT,
    referrals_n     BIGINT,
    referrals_sum   VARCHAR,
    attendances_n   BIGINT,
    attendances_sum VARCHAR,
    mode            VARCHAR,
    rows_rebuilt    BIGINT,
    built_at        TIMESTAMP
);
-- added with the incremental episode_metrics
ALTER TABLE transform_state ADD COLUMN IF NOT EXISTS data_end DATE;
-- added with the incremental outcome_pairs: the outcomes rows it read
ALTER TABLE transform_state ADD COLUMN IF NOT EXISTS outcomes_n BIGINT;
ALTER TABLE transform_state ADD COLUMN IF NOT EXISTS outcomes_sum VARCHAR;
-- added with the incremental gp_referrals: the GP events it read
ALTER TABLE transform_state ADD COLUMN IF NOT EXISTS gp_events_n BIGINT;
ALTER TABLE transform_state ADD COLUMN IF NOT EXISTS gp_events_sum VARCHAR;

CREATE TABLE IF NOT EXISTS quarantine (
    run_id   BIGINT,
    file_id  BIGINT,
    source   VARCHAR,
    file     VARCHAR,
    line     BIGINT,
    "column" VARCHAR,
    value    VARCHAR,
    reason   VARCHAR
);
-- added so that an attendance of a quarantined referral can say so
ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS record_id VARCHAR;
-- the data_end a run's transform used (design §4: the data's latest date by default)
ALTER TABLE runs ADD COLUMN IF NOT EXISTS data_end DATE;

CREATE TABLE IF NOT EXISTS referrals (
    referral_id      VARCHAR,
    person_id        VARCHAR,
    scheme_id        VARCHAR,
    practice_code    VARCHAR,
    referral_date    DATE,
    referral_source  ENUM('gp', 'nurse', 'other', 'other_primary_care', 'secondary_care', 'self', 'social_care', 'vcs'),
    referral_reason  VARCHAR,
    outcome          ENUM('accepted', 'closed', 'declined', 'inappropriate', 'not_contactable', 'pending'),
    closed_date      DATE,
    lsoa_code        VARCHAR,
    sex              ENUM('F', 'I', 'M', 'U'),
    age              INTEGER,
    birth_month      VARCHAR,
    ethnic_category  ENUM('99', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'J', 'K', 'L', 'M', 'N', 'P', 'R', 'S', 'Z'),
    source           VARCHAR,
    source_file_id   BIGINT,
    source_line      BIGINT
);

CREATE TABLE IF NOT EXISTS attendances (
    attendance_id      VARCHAR,
    referral_id        VARCHAR,
    attendance_date    DATE,
    setting            ENUM('link_worker', 'vcs'),
    status             ENUM('attended', 'cancelled_patient', 'cancelled_provider', 'dna'),
    worker_id          VARCHAR,
    provider_id        VARCHAR,
    activity_category  VARCHAR,
    mode               ENUM('face_to_face', 'group', 'home_visit', 'telephone', 'video'),
    person_id          VARCHAR,
    source             VARCHAR,
    source_file_id     BIGINT,
    source_line        BIGINT
);

CREATE TABLE IF NOT EXISTS outcomes (
    assessment_id  VARCHAR,
    person_id      VARCHAR,
    measure        ENUM('ons4_anxious', 'ons4_happy', 'ons4_satisfied', 'ons4_worthwhile', 'swemwbs', 'ucla3', 'wemwbs'),
    score          INTEGER,
    assessed_on    DATE,
    referral_id    VARCHAR,
    stage          ENUM('baseline', 'closure', 'follow_up'),
    source         VARCHAR,
    source_file_id BIGINT,
    source_line    BIGINT
);

CREATE TABLE IF NOT EXISTS gp_patients (
    person_id         VARCHAR,
    practice_code     VARCHAR,
    registered_from   DATE,
    registered_to     DATE,
    lsoa_code         VARCHAR,
    sex               ENUM('F', 'I', 'M', 'U'),
    age               INTEGER,
    birth_month       VARCHAR,
    ethnic_category   ENUM('99', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'J', 'K', 'L', 'M', 'N', 'P', 'R', 'S', 'Z'),
    ethnicity_code    VARCHAR,
    registration_key  VARCHAR,
    source            VARCHAR,
    source_file_id    BIGINT,
    source_line       BIGINT
);

CREATE TABLE IF NOT EXISTS gp_events (
    person_id       VARCHAR,
    practice_code   VARCHAR,
    event_date      DATE,
    code            VARCHAR,
    event_id        VARCHAR,
    value           DOUBLE,
    code_system     ENUM('ctv3', 'read2', 'snomed'),
    event_key       VARCHAR,
    source          VARCHAR,
    source_file_id  BIGINT,
    source_line     BIGINT
);

-- replaced whole by every ingest from the configured codelists and the shipped defaults
CREATE TABLE IF NOT EXISTS codelist_codes (
    role     VARCHAR,
    code     VARCHAR,
    term     VARCHAR,
    source   VARCHAR,
    category VARCHAR
);
ALTER TABLE codelist_codes ADD COLUMN IF NOT EXISTS category VARCHAR;

CREATE TABLE IF NOT EXISTS deprivation (
    edition         VARCHAR,
    lsoa_code       VARCHAR,
    lsoa_vintage    INTEGER,
    imd_rank        INTEGER,
    imd_decile      INTEGER,
    imd_quintile    INTEGER,
    imd_score       DOUBLE,
    source_file_id  BIGINT
);

CREATE TABLE IF NOT EXISTS lsoa_lookup (
    lsoa11_code  VARCHAR,
    lsoa21_code  VARCHAR,
    change_code  VARCHAR,
    lad22_code   VARCHAR
);

CREATE TABLE IF NOT EXISTS population (
    extract_date    DATE,
    practice_code   VARCHAR,
    practice_name   VARCHAR,
    lsoa_code       VARCHAR,
    sex             VARCHAR,
    patients        BIGINT,
    source_file_id  BIGINT
);

COMMENT ON TABLE runs IS 'One row per run of a job (design §7): written outside the run''s data transactions, so failures are recorded.';
COMMENT ON COLUMN runs.run_id IS 'Run identifier, increasing.';
COMMENT ON COLUMN runs.job IS 'Job name from config, or the command name for manual runs.';
COMMENT ON COLUMN runs.trigger IS 'schedule | manual | catch_up.';
COMMENT ON COLUMN runs.logical_date IS 'The run''s logical time (scheduled time); "future" dates are judged against it. data_end defaults to the latest referral or attendance date, never to this.';
COMMENT ON COLUMN runs.started_at IS 'Wall-clock start (UTC).';
COMMENT ON COLUMN runs.finished_at IS 'Wall-clock end (UTC); NULL while running.';
COMMENT ON COLUMN runs.status IS 'running | succeeded | failed | abandoned | stopped. abandoned: the process died during the run (the next start marks it). stopped: stopped by request (SIGTERM, Ctrl-C) before it completed; not a failure, and the scheduler runs its firing again. Before stopped existed such a run was recorded failed with an error starting ''stopped before completion'', which reads as stopped.';
COMMENT ON COLUMN runs.error IS 'One-line error for failed, stopped and abandoned runs.';
COMMENT ON COLUMN runs.code_version IS 'socrx version that ran.';
COMMENT ON COLUMN runs.steps IS 'JSON array of steps with duration_ms and row counts.';
COMMENT ON COLUMN runs.input_hashes IS 'JSON object: input path → sha256 of every file the run read.';
COMMENT ON COLUMN runs.pid IS 'Process id of the runner.';

COMMENT ON TABLE ingested_files IS 'Every extract file loaded; a file with a sha256 already here is skipped.';
COMMENT ON COLUMN ingested_files.file_id IS 'File identifier; referenced by source_file_id in core tables.';
COMMENT ON COLUMN ingested_files.source IS 'Source name (kind[index], e.g. referrals[0]).';
COMMENT ON COLUMN ingested_files.kind IS 'referrals | attendances | outcomes | gp_patients | gp_events | deprivation | population.';
COMMENT ON COLUMN ingested_files.path IS 'Path as read.';
COMMENT ON COLUMN ingested_files.sha256 IS 'SHA-256 of the file bytes.';
COMMENT ON COLUMN ingested_files.bytes IS 'File size in bytes.';
COMMENT ON COLUMN ingested_files.rows_loaded IS 'Rows inserted into the core table.';
COMMENT ON COLUMN ingested_files.rows_rejected IS 'Rows sent to quarantine.';
COMMENT ON COLUMN ingested_files.rows_replaced IS 'Earlier rows replaced by this file (corrections).';
COMMENT ON COLUMN ingested_files.rows_deleted IS 'Rows deleted because a replace-mode file no longer held them.';
COMMENT ON COLUMN ingested_files.run_id IS 'Run that loaded the file.';
COMMENT ON COLUMN ingested_files.superseded IS 'True once a newer file of a replace-mode source replaced this one.';
COMMENT ON COLUMN ingested_files.settings IS 'Fingerprint of the source settings (format, columns, values, date formats, default scheme, delimiter, sheet, configured schemes) the file was read under: when they change, the file is read again.';
COMMENT ON COLUMN ingested_files.values_masked IS 'Values of free-text columns in which an NHS number or postcode was replaced by a marker before storing.';
COMMENT ON COLUMN ingested_files.modified_ns IS 'The file''s modification time when last seen (ns since 1970): a file at the same path with the same size and modified_ns is taken as unchanged and not read again.';

COMMENT ON TABLE quarantine IS 'Rejected extract rows with the reason (design §3).';
COMMENT ON COLUMN quarantine.run_id IS 'Run that rejected the row.';
COMMENT ON COLUMN quarantine.file_id IS 'ingested_files.file_id of the file.';
COMMENT ON COLUMN quarantine.source IS 'Source name.';
COMMENT ON COLUMN quarantine.file IS 'File path.';
COMMENT ON COLUMN quarantine.line IS '1-based record number in the file; the header is line 1.';
COMMENT ON COLUMN quarantine."column" IS 'Canonical column that failed.';
COMMENT ON COLUMN quarantine.value IS 'Offending value as read (pseudonymised extract; stays in the secure environment).';
COMMENT ON COLUMN quarantine.reason IS 'Why the row was rejected.';
COMMENT ON COLUMN quarantine.record_id IS 'The row''s own id (referral_id or attendance_id) as parsed, when it has one.';
COMMENT ON COLUMN runs.data_end IS 'The data_end the run''s transform used: the configured one, else the latest referral or attendance date loaded, else (GP-only use) the latest GP event date.';

COMMENT ON TABLE referrals IS 'One row per social prescribing referral (episode), extract contract §3.1.';
COMMENT ON COLUMN referrals.referral_id IS 'Referral identifier, unique across sources.';
COMMENT ON COLUMN referrals.person_id IS 'Pseudonymised person identifier.';
COMMENT ON COLUMN referrals.scheme_id IS 'SP scheme.';
COMMENT ON COLUMN referrals.practice_code IS 'ODS code of the registered (referring) practice.';
COMMENT ON COLUMN referrals.referral_date IS 'Date of referral.';
COMMENT ON COLUMN referrals.referral_source IS 'gp | nurse | other_primary_care | secondary_care | social_care | vcs | self | other.';
COMMENT ON COLUMN referrals.referral_reason IS 'Free categories, ;-separated.';
COMMENT ON COLUMN referrals.outcome IS 'accepted | declined | not_contactable | inappropriate | pending | closed.';
COMMENT ON COLUMN referrals.closed_date IS 'Date the episode closed.';
COMMENT ON COLUMN referrals.lsoa_code IS 'LSOA of residence (2011 or 2021 code).';
COMMENT ON COLUMN referrals.sex IS 'F | M | I | U.';
COMMENT ON COLUMN referrals.age IS 'Age in years at referral (given, or computed from birth_month).';
COMMENT ON COLUMN referrals.birth_month IS 'YYYY-MM when supplied.';
COMMENT ON COLUMN referrals.ethnic_category IS 'NHS ethnic category code A–H, J–N, P, R, S, Z, 99.';
COMMENT ON COLUMN referrals.source IS 'Source name that supplied the row.';
COMMENT ON COLUMN referrals.source_file_id IS 'ingested_files.file_id of the file that supplied the row.';
COMMENT ON COLUMN referrals.source_line IS 'Record number in that file (header = 1).';

COMMENT ON TABLE attendances IS 'One row per booked link-worker contact or VCS session, extract contract §3.2.';
COMMENT ON COLUMN attendances.attendance_id IS 'Attendance identifier.';
COMMENT ON COLUMN attendances.referral_id IS 'Referral the attendance belongs to.';
COMMENT ON COLUMN attendances.attendance_date IS 'Date of the contact or session.';
COMMENT ON COLUMN attendances.setting IS 'link_worker | vcs.';
COMMENT ON COLUMN attendances.status IS 'attended | dna | cancelled_patient | cancelled_provider.';
COMMENT ON COLUMN attendances.worker_id IS 'Pseudonymised link worker (link_worker setting).';
COMMENT ON COLUMN attendances.provider_id IS 'VCS organisation (vcs setting).';
COMMENT ON COLUMN attendances.activity_category IS 'e.g. physical_activity, arts, welfare_advice, befriending.';
COMMENT ON COLUMN attendances.mode IS 'face_to_face | telephone | video | home_visit | group.';
COMMENT ON COLUMN attendances.person_id IS 'Person, when the extract carries it (equals the referral''s).';
COMMENT ON COLUMN attendances.source IS 'Source name that supplied the row.';
COMMENT ON COLUMN attendances.source_file_id IS 'ingested_files.file_id of the file that supplied the row.';
COMMENT ON COLUMN attendances.source_line IS 'Record number in that file (header = 1).';
COMMENT ON TABLE outcomes IS 'One row per completed wellbeing measure, extract contract §3.5 (raw scores; SWEMWBS is converted to its metric score by the outcome models).';
COMMENT ON COLUMN outcomes.assessment_id IS 'Assessment identifier, unique within the source''s history.';
COMMENT ON COLUMN outcomes.person_id IS 'Pseudonymised person.';
COMMENT ON COLUMN outcomes.measure IS 'ons4_satisfied | ons4_worthwhile | ons4_happy | ons4_anxious (0–10 each) | swemwbs (7–35) | wemwbs (14–70) | ucla3 (3–9).';
COMMENT ON COLUMN outcomes.score IS 'Raw score, inside the measure''s range (else quarantined as out_of_range).';
COMMENT ON COLUMN outcomes.assessed_on IS 'Date the measure was completed.';
COMMENT ON COLUMN outcomes.referral_id IS 'The referral (episode) it belongs to, when the platform recorded it; NULL: matched to a referral by date at transform time.';
COMMENT ON COLUMN outcomes.stage IS 'baseline | follow_up | closure, as the platform recorded it; NULL when not recorded.';
COMMENT ON COLUMN outcomes.source IS 'Source name that supplied the row.';
COMMENT ON COLUMN outcomes.source_file_id IS 'ingested_files.file_id of the file that supplied the row.';
COMMENT ON COLUMN outcomes.source_line IS 'Record number in that file (header = 1).';

COMMENT ON TABLE gp_patients IS 'The registered list behind the GP events, extract contract §3.7: one row per person × practice × registration start.';
COMMENT ON COLUMN gp_patients.person_id IS 'Pseudonymised person (the platform extracts'' pseudonym where gp.linked is set).';
COMMENT ON COLUMN gp_patients.practice_code IS 'ODS code of the practice the person is registered at.';
COMMENT ON COLUMN gp_patients.registered_from IS 'First day of the registration.';
COMMENT ON COLUMN gp_patients.registered_to IS 'Last day of the registration; NULL while registered (a date before registered_from is quarantined).';
COMMENT ON COLUMN gp_patients.lsoa_code IS 'LSOA of residence (E01… 2011 or 2021 codes); the only source of the patient''s deprivation.';
COMMENT ON COLUMN gp_patients.sex IS 'F | M | I | U.';
COMMENT ON COLUMN gp_patients.age IS 'Integer age as the extract gave it.';
COMMENT ON COLUMN gp_patients.birth_month IS 'YYYY-MM.';
COMMENT ON COLUMN gp_patients.ethnic_category IS 'NHS ethnic category code A–H, J–N, P, R, S, Z, 99.';
COMMENT ON COLUMN gp_patients.ethnicity_code IS 'SNOMED CT ethnicity concept id (check digit valid), mapped to a category by a configured codelist.';
COMMENT ON COLUMN gp_patients.registration_key IS 'person_id|practice_code|registered_from: the row''s key, against which corrections and a replace source''s removals are matched.';
COMMENT ON COLUMN gp_patients.source IS 'Source name that supplied the row.';
COMMENT ON COLUMN gp_patients.source_file_id IS 'ingested_files.file_id of the file that supplied the row.';
COMMENT ON COLUMN gp_patients.source_line IS 'Record number in that file (header = 1).';

COMMENT ON TABLE gp_events IS 'Coded events from GP clinical systems, extract contract §3.6, each of a person registered at its practice on its date (others are quarantined as not_registered).';
COMMENT ON COLUMN gp_events.person_id IS 'Pseudonymised person.';
COMMENT ON COLUMN gp_events.practice_code IS 'ODS code of the registered practice.';
COMMENT ON COLUMN gp_events.event_date IS 'Date the code was recorded for.';
COMMENT ON COLUMN gp_events.code IS 'SNOMED CT concept id (6–18 digits, valid Verhoeff check digit), or a Read v2 / CTV3 code (five characters) as code_system says.';
COMMENT ON COLUMN gp_events.event_id IS 'Event identifier when the extract has one; NULL otherwise.';
COMMENT ON COLUMN gp_events.value IS 'Numeric value recorded with the code; NULL when none.';
COMMENT ON COLUMN gp_events.code_system IS 'snomed | read2 | ctv3 (snomed when the extract does not say).';
COMMENT ON COLUMN gp_events.event_key IS 'The row''s key: id|event_id, or key|person_id|event_date|code when the extract has no event_id; corrections replace rows of the same key.';
COMMENT ON COLUMN gp_events.source IS 'Source name that supplied the row.';
COMMENT ON COLUMN gp_events.source_file_id IS 'ingested_files.file_id of the file that supplied the row.';
COMMENT ON COLUMN gp_events.source_line IS 'Record number in that file (header = 1).';

COMMENT ON TABLE codelist_codes IS 'The codes of every codelist of the last ingest (design §3.6): the configured files, and the national social prescribing codes for the roles sp_referral and sp_declined when not configured.';
COMMENT ON COLUMN codelist_codes.role IS 'Codelist role: sp_referral, sp_declined, ethnicity (SNOMED CT ethnicity codes to NHS ethnic categories) or a local role named in config.';
COMMENT ON COLUMN codelist_codes.code IS 'SNOMED CT concept id, or a Read v2 / CTV3 code.';
COMMENT ON COLUMN codelist_codes.term IS 'The code''s term as the codelist gives it.';
COMMENT ON COLUMN codelist_codes.source IS 'The codelist file as configured, or default for a shipped national codelist.';
COMMENT ON COLUMN codelist_codes.category IS 'Role ethnicity only: the code''s NHS ethnic category letter (A–H, J–N, P, R, S; Z not stated; 99 not known), read from the configured category column (a letter, or OpenSAFELY''s Grouping_16 number 1–16); NULL for other roles.';

COMMENT ON TABLE deprivation IS 'English Indices of Deprivation by LSOA, one row per edition and LSOA.';
COMMENT ON COLUMN deprivation.edition IS 'IoD2019 | IoD2025.';
COMMENT ON COLUMN deprivation.lsoa_code IS 'LSOA code of the edition''s vintage.';
COMMENT ON COLUMN deprivation.lsoa_vintage IS '2011 or 2021.';
COMMENT ON COLUMN deprivation.imd_rank IS 'IMD rank, 1 = most deprived.';
COMMENT ON COLUMN deprivation.imd_decile IS 'IMD decile, 1 = most deprived 10%.';
COMMENT ON COLUMN deprivation.imd_quintile IS 'ceil(decile / 2); 1 = most deprived (Core20).';
COMMENT ON COLUMN deprivation.imd_score IS 'IMD score where the file carries it.';
COMMENT ON COLUMN deprivation.source_file_id IS 'ingested_files.file_id of the loaded file.';

COMMENT ON TABLE lsoa_lookup IS 'ONS LSOA 2011 → 2021 exact-fit lookup (England and Wales).';
COMMENT ON COLUMN lsoa_lookup.lsoa11_code IS '2011 LSOA code.';
COMMENT ON COLUMN lsoa_lookup.lsoa21_code IS '2021 LSOA code.';
COMMENT ON COLUMN lsoa_lookup.change_code IS 'U unchanged, S split, M merged, X irregular.';
COMMENT ON COLUMN lsoa_lookup.lad22_code IS 'Local authority district (2022) of the 2021 LSOA.';

COMMENT ON TABLE population IS 'Registered patients by practice and LSOA (NHS England), SEX = ALL rows or MALE + FEMALE.';
COMMENT ON COLUMN population.extract_date IS 'EXTRACT_DATE of the publication.';
COMMENT ON COLUMN population.practice_code IS 'ODS practice code.';
COMMENT ON COLUMN population.practice_name IS 'Practice name as published.';
COMMENT ON COLUMN population.lsoa_code IS 'LSOA code; CLOSED = unallocated.';
COMMENT ON COLUMN population.sex IS 'ALL (or MALE / FEMALE where ALL is absent).';
COMMENT ON COLUMN population.patients IS 'Number of registered patients.';
COMMENT ON COLUMN population.source_file_id IS 'ingested_files.file_id of the loaded file.';

CREATE TABLE IF NOT EXISTS reports_written (
    period        VARCHAR,
    scheme_id     VARCHAR,
    run_id        BIGINT,
    fingerprint   VARCHAR,
    written_at    TIMESTAMP,
    html_path     VARCHAR,
    xlsx_path     VARCHAR,
    csv_dir       VARCHAR
);

COMMENT ON TABLE reports_written IS 'One row per report written (period × scheme, ALL included): a period is due again only when the data fingerprint changes (design §7).';
COMMENT ON COLUMN reports_written.period IS 'Reporting period (YYYY-MM, YYYY-Qn, YYYY or FYyyyy-yy).';
COMMENT ON COLUMN reports_written.scheme_id IS 'Scheme, or ALL.';
COMMENT ON COLUMN reports_written.run_id IS 'Run that wrote the report.';
COMMENT ON COLUMN reports_written.fingerprint IS 'SHA-256 over the sha256 of every current (not superseded) ingested file and the disclosure settings: the data the report rests on.';
COMMENT ON COLUMN reports_written.written_at IS 'Start time of the run that wrote it (from runs.started_at).';
COMMENT ON COLUMN reports_written.html_path IS 'HTML report, relative to the reports directory.';
COMMENT ON COLUMN reports_written.xlsx_path IS 'Workbook of the period, relative to the reports directory.';
COMMENT ON COLUMN reports_written.csv_dir IS 'Directory of the period''s CSV tables, relative to the reports directory.';
