-- The language the analysts wrote a report's text in (a language code, or
-- '' when not said), and the text (title, introduction, summaries) in the
-- other languages: by language code, each an object of the same three
-- (forms.ReportText).

-- +goose Up
ALTER TABLE report_drafts
    ADD COLUMN language text NOT NULL DEFAULT '' CHECK (language IN ('', 'ar', 'zh', 'en', 'fr', 'ru', 'es')),
    ADD COLUMN translations jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(translations) = 'object');

-- +goose Down
ALTER TABLE report_drafts DROP COLUMN translations, DROP COLUMN language;
