-- The Office's record, per call, of the intergovernmental organizations
-- that answer on behalf of Member States (the European Union for Belgium,
-- Luxembourg and the Netherlands, say): a joint answer counts for a State
-- only when this record names the State for the organization. One
-- organization per State and call. forms.Call.CheckRepresentation decides
-- what may be recorded; the kinds are checked here again.

-- +goose Up
CREATE TABLE representations (
    call_id         bigint NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    state_id        bigint NOT NULL REFERENCES organizations (id),
    organization_id bigint NOT NULL REFERENCES organizations (id),
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    recorded_by     text NOT NULL,
    PRIMARY KEY (call_id, state_id),
    CHECK (state_id <> organization_id)
);
CREATE INDEX representations_organization ON representations (call_id, organization_id);

-- +goose StatementBegin
CREATE FUNCTION representations_kinds() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT kind FROM organizations WHERE id = NEW.organization_id) <> 'organization' THEN
        RAISE EXCEPTION 'only an intergovernmental organization answers on behalf of States' USING ERRCODE = 'check_violation';
    END IF;
    IF (SELECT kind FROM organizations WHERE id = NEW.state_id) <> 'member_state' THEN
        RAISE EXCEPTION 'only a Member State is answered for' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER representations_kinds BEFORE INSERT OR UPDATE ON representations
    FOR EACH ROW EXECUTE FUNCTION representations_kinds();

-- +goose Down
DROP TABLE representations;
DROP FUNCTION representations_kinds();
