-- Entry on behalf: the Office enters the answers an organization sent it
-- outside the portal (by e-mail, post, fax…) and submits them for it. The
-- submitted version records that the Office entered it, by which channel
-- the answers came, on which day and from whom. The version's submitter
-- (submitted_by) is the analyst. New columns only: the versions stay
-- immutable (the trigger of 00005 refuses updates), and every version
-- before this migration was submitted by the organization itself.

-- +goose Up
ALTER TABLE submission_versions
    ADD COLUMN entered_by_office boolean NOT NULL DEFAULT false,
    ADD COLUMN entry_channel text CHECK (entry_channel IN ('email', 'post', 'fax', 'other')),
    ADD COLUMN received_on date,
    ADD COLUMN received_from text CHECK (char_length(received_from) <= 200),
    ADD CONSTRAINT submission_versions_entry CHECK (
        entered_by_office = (entry_channel IS NOT NULL)
        AND entered_by_office = (received_on IS NOT NULL)
        AND entered_by_office = (received_from IS NOT NULL));

-- +goose Down
ALTER TABLE submission_versions
    DROP CONSTRAINT submission_versions_entry,
    DROP COLUMN received_from,
    DROP COLUMN received_on,
    DROP COLUMN entry_channel,
    DROP COLUMN entered_by_office;
