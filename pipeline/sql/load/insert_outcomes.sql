-- The good staged outcomes into the core table.
-- Parameters: source, file_id.
INSERT INTO outcomes (assessment_id, person_id, measure, score, assessed_on, referral_id, stage,
    source, source_file_id, source_line)
SELECT assessment_id, person_id, measure, score, assessed_on, referral_id, stage, ?, ?, _line
FROM good
