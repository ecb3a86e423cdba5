-- Issue 14 (engineer C, fifth session): the journal ingester keeps tap_month_holder (V87) itself, as it keeps
-- tap_day_rollup since V83: per batch it adds each (city month, program, outlet, holder) row's net quantity of the taps
-- it inserted, one upsert of the batch's rows in key order, in the transaction of the batch's taps and position. The
-- rows are the trigger's to the unit (tap_reach_rebuild recomputes the same rows): a delta per row, summed by the
-- ingester instead of grouped by PostgreSQL from the statement's transition table.
--
-- The statement trigger does nothing for the ingester's sessions (tapswitch.rollups = 'ingester'); every other writer
-- of taps still gets its tap_month_holder rows from it. Both add deltas, so they mix: unlike V83's persons and
-- households, these rows need no rebuild after taps are written by hand. Otherwise the function is V87's.
-- (V89 and not V84: a database migrated to V88 would refuse a lower version applied after it.)
CREATE OR REPLACE FUNCTION tap_reach_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    zone text;
BEGIN
    IF current_setting('tapswitch.rollups', true) = 'ingester' THEN
        -- the journal ingester's session: it writes the month rows of its taps itself, in the same transaction
        RETURN NULL;
    END IF;
    SELECT city_zone INTO STRICT zone FROM tap_rollup_settings;
    INSERT INTO tap_month_holder AS x (month, program_id, outlet_id, holder_id, quantity)
    SELECT date_trunc('month', ((CASE WHEN n.offline AND n.terminal_time IS NOT NULL THEN n.terminal_time
                                 ELSE n.decided_at END) AT TIME ZONE zone))::date,
           n.program_id, n.outlet_id, n.holder_id,
           sum(CASE WHEN n.type = 'TAP' THEN n.quantity ELSE -n.quantity END)::bigint
    FROM new_taps n
    WHERE (n.type = 'TAP' AND n.decision IN ('APPROVED', 'RECORDED')) OR (n.type = 'REVERSAL' AND n.decision = 'APPROVED')
    GROUP BY 1, 2, 3, 4
    -- key order: concurrent ingest streams lock shared rows in the same order (as V81)
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (month, program_id, outlet_id, holder_id) DO UPDATE SET quantity = x.quantity + EXCLUDED.quantity;
    RETURN NULL;
END
$$;
