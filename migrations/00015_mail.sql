-- Mail: every message the portal sends, one row per recipient, inserted in
-- the transaction of the change that causes it (with its job); the job
-- sends it and records how that went. The language a person last used the
-- portal in, and the one an organization corresponds in, choose the
-- language of what they receive. In development, mail is kept in dev_mail
-- instead of sent, and shown at /dev-mail.

-- +goose Up
ALTER TABLE users ADD COLUMN language text NOT NULL DEFAULT ''
    CHECK (language IN ('', 'ar', 'zh', 'en', 'fr', 'ru', 'es'));
ALTER TABLE organizations ADD COLUMN language text NOT NULL DEFAULT ''
    CHECK (language IN ('', 'ar', 'zh', 'en', 'fr', 'ru', 'es'));

CREATE TABLE mail (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- invitation, receipt, returned, accepted, comment, call_opened, reminder, digest
    kind            text NOT NULL CHECK (kind ~ '^[a-z_]+$'),
    recipient       text NOT NULL CHECK (recipient <> ''),
    user_id         bigint REFERENCES users (id) ON DELETE SET NULL,
    organization_id bigint REFERENCES organizations (id),
    call_id         bigint REFERENCES calls (id),
    -- what the message is about beyond the call and organization: the
    -- submission's version, the invitation, the comment, the reminder's day
    about           jsonb NOT NULL DEFAULT '{}',
    state           text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed', 'skipped')),
    message_id      text NOT NULL DEFAULT '',
    error           text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);
CREATE INDEX mail_call_idx ON mail (call_id, organization_id, kind);
CREATE INDEX mail_recipient_idx ON mail (recipient, sent_at);

CREATE TABLE dev_mail (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    mail_id    bigint REFERENCES mail (id) ON DELETE SET NULL,
    kept_at    timestamptz NOT NULL DEFAULT now(),
    recipients text NOT NULL,
    subject    text NOT NULL,
    headers    jsonb NOT NULL,
    text_body  text NOT NULL,
    html_body  text NOT NULL
);

-- +goose Down
DROP TABLE dev_mail;
DROP TABLE mail;
ALTER TABLE organizations DROP COLUMN language;
ALTER TABLE users DROP COLUMN language;
