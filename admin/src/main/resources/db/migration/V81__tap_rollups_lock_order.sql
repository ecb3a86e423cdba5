-- Issue 14: the journal ingester writes with several COPY streams at once (JournalIngester, ingest-streams), each in
-- its own transaction. The streams split a batch by holder, so no two of them touch the same tap_day_holder row, but
-- two holders of one household, and every stream's taps of one day, program and outlet, meet in tap_day_household and
-- tap_day_rollup. Each upsert of the rollup trigger now takes its rows in key order, so two streams' transactions lock
-- shared rows in the same order and wait for each other instead of deadlocking (the ingester still retries a batch that
-- PostgreSQL aborts as a deadlock). Otherwise the function is V75's.
CREATE OR REPLACE FUNCTION tap_rollups_apply() RETURNS trigger LANGUAGE plpgsql AS $$
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
