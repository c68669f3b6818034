-- The directory: who may answer (organizations and the UN regional groups they
-- belong to), who signs in (users and their memberships), and the append-only
-- audit log.

-- +goose Up
CREATE TYPE organization_kind AS ENUM (
    'member_state',     -- a UN Member State
    'observer_state',   -- a non-member observer State (Holy See, State of Palestine)
    'organization'      -- an intergovernmental or regional organization
);

CREATE TABLE regional_groups (
    code     text PRIMARY KEY CHECK (code ~ '^[A-Z]{2,10}$'),
    position smallint NOT NULL UNIQUE,
    name_en  text NOT NULL CHECK (name_en <> ''),
    name_fr  text NOT NULL CHECK (name_fr <> ''),
    name_es  text NOT NULL CHECK (name_es <> ''),
    name_ru  text NOT NULL CHECK (name_ru <> ''),
    name_ar  text NOT NULL CHECK (name_ar <> ''),
    name_zh  text NOT NULL CHECK (name_zh <> '')
);

CREATE TABLE organizations (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- ISO 3166-1 alpha-3 for a State, a short upper-case code for an organization.
    code            text NOT NULL UNIQUE CHECK (code ~ '^[A-Z][A-Z0-9]{1,15}$'),
    kind            organization_kind NOT NULL,
    m49             text UNIQUE CHECK (m49 ~ '^[0-9]{3}$'),
    iso2            text UNIQUE CHECK (iso2 ~ '^[A-Z]{2}$'),
    name_en         text NOT NULL CHECK (name_en <> ''),
    name_fr         text NOT NULL CHECK (name_fr <> ''),
    name_es         text NOT NULL CHECK (name_es <> ''),
    name_ru         text NOT NULL CHECK (name_ru <> ''),
    name_ar         text NOT NULL CHECK (name_ar <> ''),
    name_zh         text NOT NULL CHECK (name_zh <> ''),
    formal_name_en  text NOT NULL DEFAULT '',
    region_code     text NOT NULL DEFAULT '',
    region_name     text NOT NULL DEFAULT '',
    subregion_code  text NOT NULL DEFAULT '',
    subregion_name  text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- States carry their M49 code; organizations have none.
    CHECK ((kind = 'organization') = (m49 IS NULL))
);

-- Many-to-many: Türkiye sits in two groups.
CREATE TABLE regional_group_members (
    group_code      text NOT NULL REFERENCES regional_groups (code),
    organization_id bigint NOT NULL REFERENCES organizations (id),
    PRIMARY KEY (group_code, organization_id)
);
CREATE INDEX regional_group_members_organization_idx ON regional_group_members (organization_id);

CREATE TABLE users (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    issuer          text NOT NULL CHECK (issuer <> ''),
    subject         text NOT NULL CHECK (subject <> ''),
    email           text NOT NULL DEFAULT '',
    email_verified  boolean NOT NULL DEFAULT false,
    display_name    text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_sign_in_at timestamptz,
    UNIQUE (issuer, subject)
);
CREATE INDEX users_email_idx ON users (lower(email));

CREATE TYPE role AS ENUM ('focal_point', 'contributor', 'analyst', 'commission', 'admin');

CREATE TABLE memberships (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         bigint NOT NULL REFERENCES users (id),
    -- Set for the roles held for an organization, empty for the Office-wide ones.
    organization_id bigint REFERENCES organizations (id),
    role            role NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((role IN ('focal_point', 'contributor')) = (organization_id IS NOT NULL)),
    UNIQUE NULLS NOT DISTINCT (user_id, organization_id, role)
);
CREATE INDEX memberships_organization_idx ON memberships (organization_id);

-- The audit log: rows are added, never changed or removed.
CREATE TABLE audit_events (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at     timestamptz NOT NULL DEFAULT now(),
    actor_user_id   bigint REFERENCES users (id),
    actor           text NOT NULL,          -- e-mail address, or 'system' / 'cli'
    action          text NOT NULL CHECK (action ~ '^[a-z_.]+$'),
    organization_id bigint REFERENCES organizations (id),
    target          text NOT NULL DEFAULT '',
    remote_addr     inet,
    request_id      text NOT NULL DEFAULT '',
    details         jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_occurred_idx ON audit_events (occurred_at DESC);
CREATE INDEX audit_events_action_idx ON audit_events (action, occurred_at DESC);

-- +goose StatementBegin
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd

CREATE TRIGGER audit_events_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate
    BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- +goose Down
DROP TABLE audit_events;
DROP FUNCTION audit_events_append_only();
DROP TABLE memberships;
DROP TYPE role;
DROP TABLE users;
DROP TABLE regional_group_members;
DROP TABLE organizations;
DROP TABLE regional_groups;
DROP TYPE organization_kind;
