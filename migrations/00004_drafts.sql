-- Drafts: what an organization prepares for a call for submissions, saved
-- field by field and shared by everyone who edits for it, with the record
-- of every change that stale saves are merged against, and attachments.
--
-- calls holds what a draft needs of a call (its questionnaire and version,
-- its reporting years); the rest of a call (mandate, dates, who must
-- answer, states) comes with the calls themselves.

-- +goose Up
CREATE TABLE calls (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key                   text NOT NULL UNIQUE CHECK (key ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    -- {"en": ..., "fr": ...}: English required.
    title                 jsonb NOT NULL CHECK (title ? 'en'),
    questionnaire_key     text NOT NULL CHECK (questionnaire_key ~ '^[a-z][a-z0-9-]*$'),
    questionnaire_version integer NOT NULL CHECK (questionnaire_version >= 1),
    reporting_years       integer[] NOT NULL DEFAULT '{}',
    created_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE drafts (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    call_id         bigint NOT NULL REFERENCES calls (id),
    organization_id bigint NOT NULL REFERENCES organizations (id),
    -- The number of saves that changed something; a save names the version
    -- it started from.
    version         integer NOT NULL DEFAULT 0 CHECK (version >= 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz,
    updated_by      text NOT NULL DEFAULT '',
    UNIQUE (call_id, organization_id)
);

-- Answers to questions other than tables, as forms.Answer in JSON.
CREATE TABLE draft_answers (
    draft_id bigint NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    question text NOT NULL,
    answer   jsonb NOT NULL,
    PRIMARY KEY (draft_id, question)
);

-- Cells of statistical tables. A blank cell has no row; state 1 is a
-- value, 2 not available, 3 not applicable (forms.CellState).
CREATE TABLE draft_cells (
    draft_id bigint NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    question text NOT NULL,
    row_key  text NOT NULL,
    year     integer NOT NULL,
    category text NOT NULL,
    state    smallint NOT NULL CHECK (state BETWEEN 0 AND 3),
    value    bigint CHECK (value >= 0),
    note     text NOT NULL DEFAULT '',
    flags    smallint NOT NULL DEFAULT 0 CHECK (flags BETWEEN 0 AND 7),
    CHECK ((state = 1) = (value IS NOT NULL)),
    PRIMARY KEY (draft_id, question, row_key, year, category)
) WITH (fillfactor = 70); -- room on each page for updates that touch no index (HOT)

-- Explanations of warnings, by the finding's key.
CREATE TABLE draft_explanations (
    draft_id    bigint NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    finding     text NOT NULL,
    explanation text NOT NULL CHECK (explanation <> ''),
    PRIMARY KEY (draft_id, finding)
);

-- Every save that changed something: who, when, and each field it changed
-- with its content before and after ({"<field>": ["<old>", "<new>"]}, as
-- forms.Answers.Field encodes contents; "" for nothing). A save based on an
-- older version is merged against the content fields had at that version.
-- One row per save, so that a save of thousands of fields writes one row
-- here. Append-only, like the audit log.
CREATE TABLE draft_saves (
    draft_id         bigint NOT NULL REFERENCES drafts (id),
    version          integer NOT NULL CHECK (version >= 1),
    saved_at         timestamptz NOT NULL DEFAULT now(),
    saved_by_user_id bigint REFERENCES users (id),
    saved_by         text NOT NULL,
    changes          jsonb NOT NULL CHECK (jsonb_typeof(changes) = 'object'),
    PRIMARY KEY (draft_id, version)
);

-- +goose StatementBegin
CREATE FUNCTION draft_saves_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the record of draft saves is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER draft_saves_no_update_delete
    BEFORE UPDATE OR DELETE ON draft_saves
    FOR EACH ROW EXECUTE FUNCTION draft_saves_append_only();
CREATE TRIGGER draft_saves_no_truncate
    BEFORE TRUNCATE ON draft_saves
    FOR EACH STATEMENT EXECUTE FUNCTION draft_saves_append_only();

-- Files attached to a draft's file questions. The answer names them by id;
-- a file removed from the answer stays, as a submitted version may name it.
CREATE TABLE attachments (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    draft_id            bigint NOT NULL REFERENCES drafts (id),
    question            text NOT NULL,
    file_name           text NOT NULL CHECK (file_name <> ''),
    content_type        text NOT NULL,
    size                bigint NOT NULL CHECK (size >= 0),
    sha256              text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    data                bytea NOT NULL,
    uploaded_at         timestamptz NOT NULL DEFAULT now(),
    uploaded_by_user_id bigint REFERENCES users (id),
    uploaded_by         text NOT NULL,
    CHECK (octet_length(data) = size)
);
CREATE INDEX attachments_draft_idx ON attachments (draft_id);

-- +goose Down
DROP TABLE attachments;
DROP TRIGGER draft_saves_no_truncate ON draft_saves;
DROP TRIGGER draft_saves_no_update_delete ON draft_saves;
DROP FUNCTION draft_saves_append_only();
DROP TABLE draft_saves;
DROP TABLE draft_explanations;
DROP TABLE draft_cells;
DROP TABLE draft_answers;
DROP TABLE drafts;
DROP TABLE calls;
