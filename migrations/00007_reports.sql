-- The compiled reports for the Commission: what the analyst writes for a
-- call's report (one frame per call, edited until released), and the
-- releases, each a numbered, frozen copy of everything the report shows.
-- A release is never changed or deleted: a later release is a new number.

-- +goose Up
CREATE TABLE report_drafts (
    call_id      bigint PRIMARY KEY REFERENCES calls (id),
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    introduction text NOT NULL DEFAULT '',
    summaries    jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(summaries) = 'object'),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    updated_by   text NOT NULL
);

CREATE TABLE report_releases (
    id          bigserial PRIMARY KEY,
    call_id     bigint NOT NULL REFERENCES calls (id),
    number      integer NOT NULL CHECK (number > 0),
    title       text NOT NULL,
    released_at timestamptz NOT NULL DEFAULT now(),
    released_by text NOT NULL,
    sources     integer NOT NULL,
    -- content is the whole forms.Report as JSON; checksum its SHA-256, hex,
    -- so that a copy of a release can be checked against the original.
    content     jsonb NOT NULL,
    checksum    text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
    UNIQUE (call_id, number)
);
CREATE INDEX report_releases_released_idx ON report_releases (released_at DESC);

-- +goose StatementBegin
CREATE FUNCTION report_releases_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'released reports cannot be changed: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER report_releases_no_update_delete BEFORE UPDATE OR DELETE ON report_releases
    FOR EACH ROW EXECUTE FUNCTION report_releases_immutable();
CREATE TRIGGER report_releases_no_truncate BEFORE TRUNCATE ON report_releases
    FOR EACH STATEMENT EXECUTE FUNCTION report_releases_immutable();

-- +goose Down
DROP TRIGGER report_releases_no_truncate ON report_releases;
DROP TRIGGER report_releases_no_update_delete ON report_releases;
DROP FUNCTION report_releases_immutable();
DROP TABLE report_releases;
DROP TABLE report_drafts;
