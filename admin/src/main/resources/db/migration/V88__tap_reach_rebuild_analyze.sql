-- Issue 14 (engineer D): tap_reach_rebuild leaves the planner statistics of the rows it wrote. Over a 50 M-tap month the
-- people-reached report right after V87's rebuild (3 M rows, no statistics yet: the planner guessed 8 600) joined the
-- card holders by 3 M index probes (52 s); with statistics it hashes them. Otherwise V87's function.
CREATE OR REPLACE FUNCTION tap_reach_rebuild(zone text) RETURNS void LANGUAGE plpgsql AS $$
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
    ANALYZE tap_month_holder;
END
$$;

ANALYZE tap_month_holder;
