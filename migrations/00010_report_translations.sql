-- The analysts' words in a report (title, introduction, summaries) in other
-- languages than the one they were written in: by language code, each an
-- object of the same three (forms.ReportText).

-- +goose Up
ALTER TABLE report_drafts
    ADD COLUMN translations jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(translations) = 'object');

-- +goose Down
ALTER TABLE report_drafts DROP COLUMN translations;
