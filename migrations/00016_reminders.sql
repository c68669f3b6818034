-- Reminders: the days a call reminds those it asks that have not
-- answered (days before its deadline, after it when negative), and each
-- reminder done, once per call and day however many replicas look. A
-- person may turn off the optional messages (the digest, the Office's
-- comments), not receipts or returns.

-- +goose Up
ALTER TABLE calls ADD COLUMN reminders integer[] NOT NULL DEFAULT '{}';

CREATE TABLE reminder_rounds (
    call_id       bigint NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    day           integer NOT NULL,
    done_at       timestamptz NOT NULL DEFAULT now(),
    -- recorded as done without being sent: a later reminder's time had
    -- come already (reminders set, or a call opened, late)
    superseded    boolean NOT NULL DEFAULT false,
    organizations integer NOT NULL DEFAULT 0, -- how many were reminded
    PRIMARY KEY (call_id, day)
);

ALTER TABLE users ADD COLUMN mail_off text[] NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE users DROP COLUMN mail_off;
DROP TABLE reminder_rounds;
ALTER TABLE calls DROP COLUMN reminders;
