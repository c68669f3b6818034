-- A file removed from every answer of a draft may now be deleted, so that
-- the files a draft holds are the files its answers and submitted versions
-- name. A file a submitted version names stays unchangeable: the trigger
-- refuses deleting it (as the foreign key of submission_files also does),
-- and refuses any update of any file, as before.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION attachments_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' OR EXISTS (SELECT FROM submission_files WHERE attachment_id = OLD.id) THEN
        RAISE EXCEPTION 'submitted versions, their files and comments cannot be changed: % on % refused', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN OLD;
END;
$$;
-- +goose StatementEnd
DROP TRIGGER attachments_immutable ON attachments;
CREATE TRIGGER attachments_immutable BEFORE UPDATE OR DELETE ON attachments
    FOR EACH ROW EXECUTE FUNCTION attachments_guard();

-- +goose Down
DROP TRIGGER attachments_immutable ON attachments;
CREATE TRIGGER attachments_immutable BEFORE UPDATE OR DELETE ON attachments
    FOR EACH ROW EXECUTE FUNCTION submissions_immutable();
DROP FUNCTION attachments_guard();
