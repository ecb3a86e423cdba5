-- Issue 14 (engineer C, fourth session): the journal ingester keeps the per-holder and per-household bookkeeping of the
-- rollups in its own memory (RollupMemory: built from the committed taps at start and after a failed batch, bounded to
-- the open 31 days like V82) and writes each batch's changes of tap_day_rollup as one upsert per rollup row, in the
-- transaction of the batch's taps and position. Two upserts per tap (tap_day_holder, tap_day_household, ~13 µs of
-- PostgreSQL CPU per tap) leave the ingest path.
--
-- The ingester's connections set tapswitch.rollups = 'ingester'; the statement trigger then does nothing for their
-- writes. Every other writer of taps (a hand-written INSERT, a test) still gets its rollups from the trigger, with the
-- per-holder and per-household tables as before. Those tables are not kept by the ingester any more: after taps are
-- written by hand into a database the ingester writes too, rebuild the rollups (SELECT tap_rollups_rebuild(zone);
-- ops/RUNBOOK.md "Report rollups") and restart the admin. tap_day_rollup keeps its shape (the reports read it).
-- Otherwise the function is V81's.
CREATE OR REPLACE FUNCTION tap_rollups_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    zone text;
BEGIN
    IF current_setting('tapswitch.rollups', true) = 'ingester' THEN
        -- the journal ingester's session: it writes the rollup changes of its taps itself, in the same transaction
        RETURN NULL;
    END IF;
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
        ORDER BY d.day, d.program_id, d.outlet_id, d.holder_id
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
        ORDER BY day, program_id, outlet_id, household
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
    ORDER BY 1, 2, 3
    ON CONFLICT (day, program_id, outlet_id) DO UPDATE
        SET taps = r.taps + EXCLUDED.taps, reversals = r.reversals + EXCLUDED.reversals,
            quantity = r.quantity + EXCLUDED.quantity, persons = r.persons + EXCLUDED.persons,
            households = r.households + EXCLUDED.households;
    RETURN NULL;
END
$$;
