-- Decisions ingested from the switch journal, exactly once by receipt.
CREATE TABLE taps (
    receipt          bigint PRIMARY KEY,
    type             text        NOT NULL CHECK (type IN ('TAP', 'REVERSAL')),
    decided_at       timestamptz NOT NULL,
    terminal_id      bigint      NOT NULL,
    outlet_id        integer     NOT NULL,
    correlation      bigint      NOT NULL,
    card_id          bigint      NOT NULL,
    holder_id        bigint      NOT NULL,
    program_id       integer     NOT NULL,
    quantity         integer     NOT NULL,
    offline          boolean     NOT NULL,
    terminal_time    timestamptz,
    decision         text        NOT NULL,
    reason           text        NOT NULL,
    remaining        integer     NOT NULL,
    journal_index    bigint      NOT NULL
);
CREATE INDEX taps_card ON taps (card_id, receipt);
CREATE INDEX taps_holder ON taps (holder_id, receipt);
CREATE INDEX taps_program ON taps (program_id, receipt);
CREATE INDEX taps_outlet ON taps (outlet_id, receipt);
CREATE INDEX taps_decided_at ON taps (decided_at);

-- Where each ingester stands in its source, updated in the same transaction as the rows it wrote.
CREATE TABLE ingest_position (
    source         text PRIMARY KEY,
    queue_index    bigint      NOT NULL,
    entries        bigint      NOT NULL,
    last_receipt   bigint      NOT NULL,
    last_time      timestamptz,
    updated_at     timestamptz NOT NULL
);
