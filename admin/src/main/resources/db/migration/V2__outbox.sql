-- Commands for the switch, written in the same transaction as the change they describe and published
-- to the switch's command queue after the commit, in id order (= commit order: writers serialize on an
-- advisory lock before taking an id). The id is the switch's commandId.
CREATE TABLE outbox (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- io.tapswitch.formats.command.CommandType
    type          smallint    NOT NULL,
    -- the command body in the switch's binary format (switch/COMMANDS.md); the header is written at publish
    -- time with the id as commandId. Bodies carrying a terminal key are sealed with the admin's master key
    -- and erased (NULL) once published.
    body          bytea,
    sealed        boolean     NOT NULL,
    created_at    timestamptz NOT NULL,
    published_at  timestamptz,
    -- APPENDED: written to the queue; ALREADY_IN_QUEUE: found there after a crash between append and
    -- marking; MALFORMED: refused by the switch's own check (a bug; counted and skipped, never retried)
    outcome       text CHECK (outcome IN ('APPENDED', 'ALREADY_IN_QUEUE', 'MALFORMED'))
);
CREATE INDEX outbox_pending ON outbox (id) WHERE published_at IS NULL;
