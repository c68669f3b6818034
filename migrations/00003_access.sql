-- Access: signed-in sessions (the table scs's postgresstore reads and
-- writes), invitations that nominate a person by e-mail address for a role,
-- and the index the audit log's per-organization view pages through.

-- +goose Up
-- Exactly the shape github.com/alexedwards/scs/postgresstore expects.
CREATE TABLE sessions (
    token  TEXT PRIMARY KEY,
    data   BYTEA NOT NULL,
    expiry TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

CREATE TABLE invitations (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Stored as the portal compares it: trimmed and in lower case.
    email               text NOT NULL CHECK (email <> '' AND email = lower(email)),
    role                role NOT NULL,
    -- Set for the roles held for an organization, empty for the portal-wide ones.
    organization_id     bigint REFERENCES organizations (id),
    -- Empty when the command line or the portal itself invited.
    invited_by_user_id  bigint REFERENCES users (id),
    invited_by          text NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    expires_at          timestamptz NOT NULL,
    accepted_at         timestamptz,
    accepted_by_user_id bigint REFERENCES users (id),
    revoked_at          timestamptz,
    revoked_by          text,
    CHECK ((role IN ('focal_point', 'contributor')) = (organization_id IS NOT NULL)),
    CHECK (expires_at > created_at),
    CHECK (accepted_at IS NULL OR revoked_at IS NULL),
    CHECK ((accepted_at IS NULL) = (accepted_by_user_id IS NULL)),
    CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
-- Sign-in looks up the open invitations of one address.
CREATE INDEX invitations_open_email_idx ON invitations (email)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;
CREATE INDEX invitations_organization_idx ON invitations (organization_id, created_at DESC);

-- The audit log of one organization, newest first, paged by id.
CREATE INDEX audit_events_organization_idx ON audit_events (organization_id, id DESC);

-- +goose Down
DROP INDEX audit_events_organization_idx;
DROP TABLE invitations;
DROP TABLE sessions;
