-- Issue 14: fewer B-trees on taps, the ingest's largest cost after the rollups. Measured with 100 COPYs of 1 000 taps
-- into a 500 000-tap table (backend CPU per tap, in a transaction rolled back; BENCHMARKS.md, "Admin ingest (issue
-- 14, engineer C)"): all seven indexes and the rollup trigger 40 µs; without the trigger 19-24 µs; the primary key
-- alone without the trigger 3-4 µs: each secondary B-tree costs about 3 µs per tap.
--
-- taps_program (program_id, receipt): dropped. Its readers were the aid and meals reports' scans, which read the rollups
-- since V75. GET /taps?programId= pages through the primary key and filters: a program is one of at most 64 (the
-- protocol's bound) and every running program is a large share of the taps, so a page is found after a few hundred
-- rows (EXPLAIN: 2.6 ms at 500 000 taps). A program with no taps at all after the cursor reads to the table's end.
--
-- taps_decided_at (decided_at) B-tree: replaced by a BRIN index. Taps are appended in the order the switch decided
-- them, so a block range's min/max of decided_at is tight and the BRIN index serves the from/to filter's bitmap scan at
-- almost no ingest cost (a BRIN index is updated once per block range, not once per row).
--
-- Kept: taps_pkey (receipt: exactly-once and every page's order), taps_card and taps_holder (GET /taps?cardId= and
-- ?holderId=, the console's holder page: selective, random keys), taps_outlet (a city has hundreds of outlets: a filter
-- on one is selective), taps_terminal (the console's terminals page: the last tap of each terminal).
DROP INDEX IF EXISTS taps_program;
DROP INDEX IF EXISTS taps_decided_at;
CREATE INDEX taps_decided_at_brin ON taps USING brin (decided_at);
