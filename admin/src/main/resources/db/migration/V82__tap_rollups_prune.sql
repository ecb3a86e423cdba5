-- Issue 14: the per-holder and per-household rollup rows (tap_day_holder, tap_day_household) grew like the taps and
-- nothing removed them; they are needed only while a tap can still land in their city day. A tap counts on the day it
-- was decided, an offline advice on the day it was served, and the switch accepts an advice at most 30 × 24 h old
-- (PROTOCOL.md rule 12); a reversal counts on its own day. So once the ingester has stored a decision made at T, no
-- later decision can change a day before the city day of T - 30 days: their holder and household rows can go
-- (one more day is kept for the 5 minutes an advice may be ahead of the switch and for clock steps).
-- tap_day_rollup keeps every day: the reports read only it. tap_rollups_rebuild (a city-zone change) recreates the
-- holder and household rows of every day from the taps; the next prune removes the old ones again.
CREATE FUNCTION tap_rollups_prune(newest timestamptz) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    zone text;
    cutoff date;
    removed bigint;
    removed_households bigint;
BEGIN
    SELECT city_zone INTO STRICT zone FROM tap_rollup_settings;
    cutoff := ((newest - interval '31 days') AT TIME ZONE zone)::date;
    DELETE FROM tap_day_holder WHERE day < cutoff;
    GET DIAGNOSTICS removed = ROW_COUNT;
    DELETE FROM tap_day_household WHERE day < cutoff;
    GET DIAGNOSTICS removed_households = ROW_COUNT;
    RETURN removed + removed_households;
END
$$;
