-- Issue 14 (engineer D): the people-reached report, the offline-exceptions report and GET /taps?from=&to= without
-- scanning the taps at 50 M taps a month.
--
-- 1. tap_month_holder: per city month, program, outlet and holder, the net quantity handed out (TAPs APPROVED or
--    RECORDED +quantity, APPROVED REVERSALs -quantity, each on its city day as the reports count it). The people-reached
--    report counts, for every whole month of its range, the holders whose net is > 0 from these rows (and their
--    households as registered now, as it always did); the days of a range that are not a whole month are read from the
--    taps of those days. One row per holder and program/outlet used in a month (at 50 M taps from 300 000 holders, about
--    1.5 M rows a month), kept for ever like tap_day_rollup.
--    Upkeep: a statement trigger on taps, one grouped upsert per statement (the ingester's COPY of a batch), beside
--    taps_rollups; tap_reach_rebuild(zone) recomputes it from the taps, and runs whenever tap_rollup_settings is updated
--    (tap_rollups_rebuild updates it: a city-zone change, or taps loaded by hand), so it follows the same zone.
CREATE TABLE tap_month_holder (
    month      date    NOT NULL, -- the first day of the city month
    program_id integer NOT NULL,
    outlet_id  integer NOT NULL,
    holder_id  bigint  NOT NULL,
    quantity   bigint  NOT NULL,
    PRIMARY KEY (month, program_id, outlet_id, holder_id)
);

CREATE FUNCTION tap_reach_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    zone text;
BEGIN
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

CREATE TRIGGER taps_reach AFTER INSERT ON taps REFERENCING NEW TABLE AS new_taps
    FOR EACH STATEMENT EXECUTE FUNCTION tap_reach_apply();

CREATE FUNCTION tap_reach_rebuild(zone text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE taps IN SHARE MODE;
    TRUNCATE tap_month_holder;
    INSERT INTO tap_month_holder (month, program_id, outlet_id, holder_id, quantity)
    SELECT date_trunc('month', ((CASE WHEN t.offline AND t.terminal_time IS NOT NULL THEN t.terminal_time
                                 ELSE t.decided_at END) AT TIME ZONE zone))::date,
           t.program_id, t.outlet_id, t.holder_id,
           sum(CASE WHEN t.type = 'TAP' THEN t.quantity ELSE -t.quantity END)::bigint
    FROM taps t
    WHERE (t.type = 'TAP' AND t.decision IN ('APPROVED', 'RECORDED')) OR (t.type = 'REVERSAL' AND t.decision = 'APPROVED')
    GROUP BY 1, 2, 3, 4;
END
$$;

CREATE FUNCTION tap_reach_rebuild_on_settings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tap_reach_rebuild(NEW.city_zone);
    RETURN NULL;
END
$$;

CREATE TRIGGER tap_rollup_settings_reach AFTER UPDATE ON tap_rollup_settings
    FOR EACH ROW EXECUTE FUNCTION tap_reach_rebuild_on_settings();

SELECT tap_reach_rebuild((SELECT city_zone FROM tap_rollup_settings));

-- 2. GET /taps?from=&to= pages by receipt through the taps of a time range: per hour of decided_at, the receipts in
--    order (TapsApi reads the first page's worth of each hour of the range and keeps the lowest). Taps arrive in about
--    decision order, so new entries go to the index's right edge.
CREATE INDEX taps_decided_hour ON taps (date_bin('1 hour', decided_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), receipt);

-- 3. Offline taps by the time they were served (the terminal's time, or the decision's when the terminal gave none):
--    the offline-exceptions report and the offline taps of the people-reached report's partial months. Partial: only
--    offline taps (a few per cent) are in it.
CREATE INDEX taps_offline_served ON taps ((COALESCE(terminal_time, decided_at))) WHERE offline;
