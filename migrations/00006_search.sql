-- Full-text search over the narrative answers of submitted versions, for
-- the Office's compiled views. The 'simple' configuration: answers come in
-- six languages, and no one stemmer serves them all.

-- +goose Up
CREATE INDEX submission_answers_text_idx ON submission_answers
    USING gin (to_tsvector('simple', COALESCE(answer->>'text', '')));

-- +goose Down
DROP INDEX submission_answers_text_idx;
