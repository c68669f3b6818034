-- Each submitted version records the questionnaire (key and version) and
-- the reporting years it was made with, so that it is always read with
-- them, whatever becomes of its call. Versions submitted before this
-- migration take their call's.

-- +goose Up
ALTER TABLE submission_versions
    ADD COLUMN questionnaire_key     text,
    ADD COLUMN questionnaire_version integer,
    ADD COLUMN reporting_years       integer[];

-- Versions are frozen by a trigger; filling the new columns is the one
-- update they take, inside this migration's transaction.
ALTER TABLE submission_versions DISABLE TRIGGER submission_versions_immutable;
UPDATE submission_versions v
SET questionnaire_key = c.questionnaire_key, questionnaire_version = c.questionnaire_version, reporting_years = c.reporting_years
FROM drafts d JOIN calls c ON c.id = d.call_id
WHERE d.id = v.draft_id;
ALTER TABLE submission_versions ENABLE TRIGGER submission_versions_immutable;

ALTER TABLE submission_versions
    ALTER COLUMN questionnaire_key SET NOT NULL,
    ALTER COLUMN questionnaire_version SET NOT NULL,
    ALTER COLUMN reporting_years SET NOT NULL,
    ADD CHECK (questionnaire_key ~ '^[a-z][a-z0-9-]*$'),
    ADD CHECK (questionnaire_version >= 1);

-- +goose Down
ALTER TABLE submission_versions
    DROP COLUMN reporting_years,
    DROP COLUMN questionnaire_version,
    DROP COLUMN questionnaire_key;
