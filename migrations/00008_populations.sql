-- The Office's population table: the population of a State in a year, for
-- the rates per 100,000 inhabitants of the States that did not report
-- their own (a State's reported figure always comes first). Analysts
-- upload it; each row says where the figure comes from.

-- +goose Up
CREATE TABLE populations (
    organization_id bigint NOT NULL REFERENCES organizations (id),
    year            integer NOT NULL CHECK (year BETWEEN 1900 AND 2100),
    population      bigint NOT NULL CHECK (population > 0),
    source          text NOT NULL CHECK (length(source) BETWEEN 1 AND 200),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    updated_by      text NOT NULL,
    PRIMARY KEY (organization_id, year)
);

-- +goose Down
DROP TABLE populations;
