-- Rollups of the ingested taps for the aid and meals reports (issue 14): a month's report reads a few thousand rollup
-- rows instead of scanning tens of millions of taps. They are kept by a statement-level trigger on taps, so every
-- write of taps (the journal ingester's COPY, a replay, a test's INSERT) updates them in the same transaction.
--
-- A tap counts on its city day (an offline tap on the day it was served), in the city zone of tap_rollup_settings,
-- which the admin service aligns with its city-zone setting at start (rebuilding the rollups when it changes).
-- What counts: TAPs APPROVED or RECORDED (+quantity) and APPROVED REVERSALs (-quantity), as the reports always did.
-- Persons and households reached in a (day, program, outlet) row: holders whose taps there, net of reversals, handed
-- something out, and their households (a holder without a household is a household of one) — counted exactly, from
-- the per-holder and per-household rows below. A holder's household is the one registered when the holder's first
-- tap of that row was ingested.

CREATE TABLE tap_rollup_settings (
    id        boolean PRIMARY KEY DEFAULT true CHECK (id),
    city_zone text NOT NULL
);
INSERT INTO tap_rollup_settings (id, city_zone) VALUES (true, 'Europe/Kyiv');

-- One row per city day, program and outlet: what the aid and meals reports show.
CREATE TABLE tap_day_rollup (
    day        date    NOT NULL,
    program_id integer NOT NULL,
    outlet_id  integer NOT NULL,
    taps       bigint  NOT NULL,
    reversals  bigint  NOT NULL,
    quantity   bigint  NOT NULL,
    persons    bigint  NOT NULL,
    households bigint  NOT NULL,
    PRIMARY KEY (day, program_id, outlet_id)
);

-- Per holder within a day, program and outlet: the net quantity decides whether the holder was reached.
CREATE TABLE tap_day_holder (
    day        date    NOT NULL,
    program_id integer NOT NULL,
    outlet_id  integer NOT NULL,
    holder_id  bigint  NOT NULL,
    household  bigint  NOT NULL,
    taps       bigint  NOT NULL,
    reversals  bigint  NOT NULL,
    quantity   bigint  NOT NULL,
    -- what the last statement added to quantity: quantity - last_delta is the value before it
    last_delta bigint  NOT NULL DEFAULT 0,
    PRIMARY KEY (day, program_id, outlet_id, holder_id)
);

-- Per household within a day, program and outlet: how many of its holders were reached (> 0: the household was).
CREATE TABLE tap_day_household (
    day        date    NOT NULL,
    program_id integer NOT NULL,
    outlet_id  integer NOT NULL,
    household  bigint  NOT NULL,
    persons    bigint  NOT NULL,
    -- what the last statement added to persons
    last_delta bigint  NOT NULL DEFAULT 0,
    PRIMARY KEY (day, program_id, outlet_id, household)
);

-- Applies the taps a statement inserted (new_taps: only the rows actually inserted, so an ON CONFLICT DO NOTHING
-- replay changes nothing). Set-based: one pass per statement, the ingester's COPY of a whole batch included. No join
-- between the statement's intermediate results (the planner knows nothing of their sizes): each upsert returns the
-- row's new value and what this statement added (last_delta), from which its value before follows.
CREATE FUNCTION tap_rollups_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    zone text;
BEGIN
    SELECT city_zone INTO STRICT zone FROM tap_rollup_settings;
    WITH d AS (
        SELECT ((CASE WHEN n.offline AND n.terminal_time IS NOT NULL THEN n.terminal_time ELSE n.decided_at END)
                   AT TIME ZONE zone)::date AS day,
               n.program_id, n.outlet_id, n.holder_id,
               count(*) FILTER (WHERE n.type = 'TAP') AS taps,
               count(*) FILTER (WHERE n.type = 'REVERSAL') AS reversals,
               sum(CASE WHEN n.type = 'TAP' THEN n.quantity ELSE -n.quantity END)::bigint AS quantity
        FROM new_taps n
        WHERE (n.type = 'TAP' AND n.decision IN ('APPROVED', 'RECORDED')) OR (n.type = 'REVERSAL' AND n.decision = 'APPROVED')
        GROUP BY 1, 2, 3, 4),
    h AS (
        INSERT INTO tap_day_holder AS x (day, program_id, outlet_id, holder_id, household, taps, reversals, quantity,
            last_delta)
        SELECT d.day, d.program_id, d.outlet_id, d.holder_id, COALESCE(c.household_id, -d.holder_id), d.taps,
               d.reversals, d.quantity, d.quantity
        FROM d LEFT JOIN cardholders c ON c.id = d.holder_id
        ON CONFLICT (day, program_id, outlet_id, holder_id) DO UPDATE
            SET taps = x.taps + EXCLUDED.taps, reversals = x.reversals + EXCLUDED.reversals,
                quantity = x.quantity + EXCLUDED.quantity, last_delta = EXCLUDED.quantity
        -- +1 when the holder became reached in the row, -1 when a reversal took it back, 0 otherwise
        RETURNING x.day, x.program_id, x.outlet_id, x.household,
            ((x.quantity > 0)::int - (x.quantity - x.last_delta > 0)::int)::bigint AS persons),
    ph AS (
        SELECT day, program_id, outlet_id, household, sum(persons)::bigint AS persons
        FROM h GROUP BY 1, 2, 3, 4 HAVING sum(persons) <> 0),
    hh AS (
        INSERT INTO tap_day_household AS y (day, program_id, outlet_id, household, persons, last_delta)
        SELECT day, program_id, outlet_id, household, persons, persons FROM ph
        ON CONFLICT (day, program_id, outlet_id, household) DO UPDATE
            SET persons = y.persons + EXCLUDED.persons, last_delta = EXCLUDED.persons
        RETURNING y.day, y.program_id, y.outlet_id,
            ((y.persons > 0)::int - (y.persons - y.last_delta > 0)::int)::bigint AS households),
    u AS (
        SELECT day, program_id, outlet_id, taps, reversals, quantity, 0::bigint AS persons, 0::bigint AS households
        FROM d
        UNION ALL
        SELECT day, program_id, outlet_id, 0, 0, 0, persons, 0 FROM h
        UNION ALL
        SELECT day, program_id, outlet_id, 0, 0, 0, 0, households FROM hh)
    INSERT INTO tap_day_rollup AS r (day, program_id, outlet_id, taps, reversals, quantity, persons, households)
    SELECT day, program_id, outlet_id, sum(taps)::bigint, sum(reversals)::bigint, sum(quantity)::bigint,
           sum(persons)::bigint, sum(households)::bigint
    FROM u GROUP BY 1, 2, 3
    ON CONFLICT (day, program_id, outlet_id) DO UPDATE
        SET taps = r.taps + EXCLUDED.taps, reversals = r.reversals + EXCLUDED.reversals,
            quantity = r.quantity + EXCLUDED.quantity, persons = r.persons + EXCLUDED.persons,
            households = r.households + EXCLUDED.households;
    RETURN NULL;
END
$$;

CREATE TRIGGER taps_rollups AFTER INSERT ON taps REFERENCING NEW TABLE AS new_taps
    FOR EACH STATEMENT EXECUTE FUNCTION tap_rollups_apply();

-- Recomputes every rollup from the taps in the given city zone (at this migration for taps already stored; by the
-- admin service at start when its city-zone setting differs from the stored one). Holds off writers of taps meanwhile.
CREATE FUNCTION tap_rollups_rebuild(zone text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE taps IN SHARE MODE;
    TRUNCATE tap_day_rollup, tap_day_holder, tap_day_household;
    UPDATE tap_rollup_settings SET city_zone = zone;
    INSERT INTO tap_day_holder (day, program_id, outlet_id, holder_id, household, taps, reversals, quantity)
    SELECT d.day, d.program_id, d.outlet_id, d.holder_id, COALESCE(c.household_id, -d.holder_id), d.taps, d.reversals,
           d.quantity
    FROM (SELECT ((CASE WHEN t.offline AND t.terminal_time IS NOT NULL THEN t.terminal_time ELSE t.decided_at END)
                     AT TIME ZONE zone)::date AS day,
                 t.program_id, t.outlet_id, t.holder_id,
                 count(*) FILTER (WHERE t.type = 'TAP') AS taps,
                 count(*) FILTER (WHERE t.type = 'REVERSAL') AS reversals,
                 sum(CASE WHEN t.type = 'TAP' THEN t.quantity ELSE -t.quantity END)::bigint AS quantity
          FROM taps t
          WHERE (t.type = 'TAP' AND t.decision IN ('APPROVED', 'RECORDED')) OR (t.type = 'REVERSAL' AND t.decision = 'APPROVED')
          GROUP BY 1, 2, 3, 4) d
    LEFT JOIN cardholders c ON c.id = d.holder_id;
    INSERT INTO tap_day_household (day, program_id, outlet_id, household, persons)
    SELECT day, program_id, outlet_id, household, count(*) FILTER (WHERE quantity > 0)
    FROM tap_day_holder GROUP BY 1, 2, 3, 4;
    INSERT INTO tap_day_rollup (day, program_id, outlet_id, taps, reversals, quantity, persons, households)
    SELECT x.day, x.program_id, x.outlet_id, x.taps, x.reversals, x.quantity, x.persons, COALESCE(y.households, 0)
    FROM (SELECT day, program_id, outlet_id, sum(taps)::bigint AS taps, sum(reversals)::bigint AS reversals,
                 sum(quantity)::bigint AS quantity, count(*) FILTER (WHERE quantity > 0) AS persons
          FROM tap_day_holder GROUP BY 1, 2, 3) x
    LEFT JOIN (SELECT day, program_id, outlet_id, count(*) FILTER (WHERE persons > 0) AS households
               FROM tap_day_household GROUP BY 1, 2, 3) y
        ON y.day = x.day AND y.program_id = x.program_id AND y.outlet_id = x.outlet_id;
END
$$;

SELECT tap_rollups_rebuild('Europe/Kyiv');
