-- Cases moving through the service cards of the catalogue (admin/src/main/resources/catalogue).
-- The full case (checklist, attachments' metadata, history, deadlines) is the JSON document `doc`, written by
-- io.tapswitch.admin.workflow.CaseEngine; the columns beside it are copies for listing, the overdue check and the
-- gauges. `version` is the optimistic lock: every update is `WHERE id = $1 AND version = <the version read>`.
CREATE SEQUENCE case_number;

CREATE TABLE cases (
    id                 text PRIMARY KEY,
    number             bigint      NOT NULL UNIQUE,
    service_code       text        NOT NULL,
    card_version       integer     NOT NULL CHECK (card_version > 0),
    ministry_category  text CHECK (ministry_category IN ('SOCIAL_ASSISTANCE', 'BENEFITS', 'SUBSIDIES')),
    status             text        NOT NULL CHECK (status IN ('ACTIVE', 'SUSPENDED', 'COMPLETED', 'REFUSED', 'CLOSED')),
    stage_no           text        NOT NULL,
    stage_body         text        NOT NULL CHECK (stage_body IN ('CENTER', 'DISTRICT', 'DEPARTMENT')),
    intake_body        text        NOT NULL CHECK (intake_body IN ('CENTER', 'DISTRICT', 'DEPARTMENT')),
    holder_id          bigint      REFERENCES cardholders (id),
    registered_at      timestamptz NOT NULL,
    stage_due          date,
    total_due          date,
    finished_at        timestamptz,
    version            bigint      NOT NULL CHECK (version > 0),
    doc                jsonb       NOT NULL,
    updated_at         timestamptz NOT NULL
);
CREATE INDEX cases_open ON cases (service_code, stage_no) WHERE status IN ('ACTIVE', 'SUSPENDED');
CREATE INDEX cases_holder ON cases (holder_id);
CREATE INDEX cases_finished ON cases (finished_at);

-- One row per accepted case action (the case history, flattened for the reports). `indicator` marks the
-- actions the Ministry's monthly indicators count (order No. 45, annex 2): PASSED_ON (an e-case formed at the
-- Center handed to the social protection unit), ACCEPTED (the unit accepted the documents for further work),
-- RETURNED (left without motion: returned for revision), DECIDED (the case reached its decision: granted or
-- refused).
CREATE TABLE case_actions (
    case_id            text        NOT NULL REFERENCES cases (id),
    seq                integer     NOT NULL CHECK (seq > 0),
    at                 timestamptz NOT NULL,
    actor              text        NOT NULL,
    role               text        NOT NULL,
    action             text        NOT NULL,
    stage_no           text        NOT NULL,
    status             text        NOT NULL,
    service_code       text        NOT NULL,
    ministry_category  text,
    indicator          text CHECK (indicator IN ('PASSED_ON', 'ACCEPTED', 'RETURNED', 'DECIDED')),
    comment            text        NOT NULL,
    details            jsonb       NOT NULL,
    PRIMARY KEY (case_id, seq)
);
CREATE INDEX case_actions_at ON case_actions (at);
