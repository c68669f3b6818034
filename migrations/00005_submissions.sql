-- Calls for submissions in full (mandate, body, dates, who is asked,
-- states) and the life of a submission: the state of each organization's
-- answer, its frozen submitted versions with their receipts, and the
-- comments between the Office and the organization.

-- +goose Up
ALTER TABLE calls
    ADD COLUMN reference         text NOT NULL DEFAULT '' CHECK (reference ~ '^[A-Z0-9-]{0,30}$'),
    ADD COLUMN mandate           jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN body              jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN state             text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'open', 'closed', 'reported')),
    ADD COLUMN opens_at          timestamptz,
    ADD COLUMN deadline          timestamptz,
    ADD COLUMN time_zone         text NOT NULL DEFAULT 'UTC',
    ADD COLUMN late_allowed      boolean NOT NULL DEFAULT false,
    ADD COLUMN all_member_states boolean NOT NULL DEFAULT false,
    ADD COLUMN updated_at        timestamptz NOT NULL DEFAULT now();

-- Who a call asks besides (or instead of) every Member State.
CREATE TABLE call_groups (
    call_id    bigint NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    group_code text NOT NULL REFERENCES regional_groups (code),
    PRIMARY KEY (call_id, group_code)
);
CREATE TABLE call_organizations (
    call_id         bigint NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    organization_id bigint NOT NULL REFERENCES organizations (id),
    PRIMARY KEY (call_id, organization_id)
);

-- A draft row is the organization's answer to the call: its state, and
-- when that last changed.
ALTER TABLE drafts
    ADD COLUMN state            text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'submitted', 'returned', 'accepted')),
    ADD COLUMN state_changed_at timestamptz,
    ADD COLUMN submitted_versions integer NOT NULL DEFAULT 0 CHECK (submitted_versions >= 0);

-- Each submission, frozen: never updated, never deleted.
CREATE TABLE submission_versions (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    draft_id             bigint NOT NULL REFERENCES drafts (id),
    number               integer NOT NULL CHECK (number >= 1),
    reference            text NOT NULL UNIQUE,
    draft_version        integer NOT NULL,
    submitted_at         timestamptz NOT NULL DEFAULT now(),
    submitted_by_user_id bigint REFERENCES users (id),
    submitted_by         text NOT NULL,
    late                 boolean NOT NULL,
    checksum             text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
    -- The States a joint submission (by an organization) answers for.
    on_behalf_of         bigint[] NOT NULL DEFAULT '{}',
    UNIQUE (draft_id, number)
);
CREATE TABLE submission_answers (
    version_id bigint NOT NULL REFERENCES submission_versions (id),
    question   text NOT NULL,
    answer     jsonb NOT NULL,
    PRIMARY KEY (version_id, question)
);
CREATE TABLE submission_cells (
    version_id bigint NOT NULL REFERENCES submission_versions (id),
    question   text NOT NULL,
    row_key    text NOT NULL,
    year       integer NOT NULL,
    category   text NOT NULL,
    state      smallint NOT NULL CHECK (state BETWEEN 0 AND 3),
    value      bigint CHECK (value >= 0),
    note       text NOT NULL DEFAULT '',
    flags      smallint NOT NULL DEFAULT 0,
    PRIMARY KEY (version_id, question, row_key, year, category)
);
CREATE TABLE submission_explanations (
    version_id  bigint NOT NULL REFERENCES submission_versions (id),
    finding     text NOT NULL,
    explanation text NOT NULL,
    PRIMARY KEY (version_id, finding)
);
CREATE TABLE submission_files (
    version_id    bigint NOT NULL REFERENCES submission_versions (id),
    attachment_id bigint NOT NULL REFERENCES attachments (id),
    PRIMARY KEY (version_id, attachment_id)
);

-- Comments between the Office and the organization: on the submission as a
-- whole (field '') or on one field (an answer, a cell).
CREATE TABLE review_comments (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    draft_id       bigint NOT NULL REFERENCES drafts (id),
    version_number integer NOT NULL,
    field          text NOT NULL DEFAULT '',
    author_user_id bigint REFERENCES users (id),
    author         text NOT NULL,
    office         boolean NOT NULL,
    body           text NOT NULL CHECK (body <> ''),
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX review_comments_draft_idx ON review_comments (draft_id, id);

-- +goose StatementBegin
CREATE FUNCTION submissions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'submitted versions, their files and comments cannot be changed: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER submission_versions_immutable BEFORE UPDATE OR DELETE ON submission_versions
    FOR EACH ROW EXECUTE FUNCTION submissions_immutable();
CREATE TRIGGER submission_answers_immutable BEFORE UPDATE OR DELETE ON submission_answers
    FOR EACH ROW EXECUTE FUNCTION submissions_immutable();
CREATE TRIGGER submission_cells_immutable BEFORE UPDATE OR DELETE ON submission_cells
    FOR EACH ROW EXECUTE FUNCTION submissions_immutable();
CREATE TRIGGER submission_explanations_immutable BEFORE UPDATE OR DELETE ON submission_explanations
    FOR EACH ROW EXECUTE FUNCTION submissions_immutable();
CREATE TRIGGER submission_files_immutable BEFORE UPDATE OR DELETE ON submission_files
    FOR EACH ROW EXECUTE FUNCTION submissions_immutable();
CREATE TRIGGER attachments_immutable BEFORE UPDATE OR DELETE ON attachments
    FOR EACH ROW EXECUTE FUNCTION submissions_immutable();
CREATE TRIGGER review_comments_immutable BEFORE UPDATE OR DELETE ON review_comments
    FOR EACH ROW EXECUTE FUNCTION submissions_immutable();
CREATE TRIGGER submission_tables_no_truncate BEFORE TRUNCATE ON submission_versions
    FOR EACH STATEMENT EXECUTE FUNCTION submissions_immutable();

-- +goose Down
DROP TRIGGER submission_tables_no_truncate ON submission_versions;
DROP TRIGGER review_comments_immutable ON review_comments;
DROP TRIGGER attachments_immutable ON attachments;
DROP TRIGGER submission_files_immutable ON submission_files;
DROP TRIGGER submission_explanations_immutable ON submission_explanations;
DROP TRIGGER submission_cells_immutable ON submission_cells;
DROP TRIGGER submission_answers_immutable ON submission_answers;
DROP TRIGGER submission_versions_immutable ON submission_versions;
DROP FUNCTION submissions_immutable();
DROP TABLE review_comments;
DROP TABLE submission_files;
DROP TABLE submission_explanations;
DROP TABLE submission_cells;
DROP TABLE submission_answers;
DROP TABLE submission_versions;
ALTER TABLE drafts DROP COLUMN submitted_versions, DROP COLUMN state_changed_at, DROP COLUMN state;
DROP TABLE call_organizations;
DROP TABLE call_groups;
ALTER TABLE calls DROP COLUMN updated_at, DROP COLUMN all_member_states, DROP COLUMN late_allowed,
    DROP COLUMN time_zone, DROP COLUMN deadline, DROP COLUMN opens_at, DROP COLUMN state,
    DROP COLUMN body, DROP COLUMN mandate, DROP COLUMN reference;
