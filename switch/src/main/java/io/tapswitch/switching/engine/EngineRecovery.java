package io.tapswitch.switching.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.tapswitch.formats.journal.JournalDecoder;
import io.tapswitch.formats.journal.JournalExcerpt;
import io.tapswitch.formats.journal.JournalRecord;
import io.tapswitch.switching.journal.JournalReplay;
import io.tapswitch.switching.journal.JournalWriter;
import io.tapswitch.switching.snapshot.SnapshotInput;
import org.agrona.DirectBuffer;

/**
 * Recovery at {@link Engine#open}: loads the newest snapshot whose checksum holds (a damaged one is skipped for the
 * next, down to empty tables), then replays every journal record after it, in chunks warmed together
 * ({@link CacheWarmer}): by default it applies each journaled TAP and REVERSAL decision's effects to the tables
 * (the usage taken or given back, the result remembered for retries and reversals: {@link TapRule#apply},
 * {@link ReversalRule#apply}) without running the rules again; with {@link EngineConfig#replayVerify} it decides
 * each of them again with the same rules and compares the result with the journaled one
 * ({@link DecisionJournal#replayMismatches}: a changed rule or a damaged table shows there). Both leave the same
 * tables. LOGONs restore their nonces from the record and commands are applied again in both modes. The journal is read by {@link JournalReplay} (which cuts a torn tail);
 * this class feeds what it reads to the rules. Runs once, on the thread that opens the engine.
 */
final class EngineRecovery
{
    /** An excerpt of at least this many records (a batch) is replayed in place; smaller ones join a chunk. */
    static final int IN_PLACE_MIN_RECORDS = 16;

    private final EngineConfig config;
    private final EngineState state;
    private final DecisionJournal journal;
    private final CommandIntake commands;
    private final EngineSnapshots snapshots;
    private final CacheWarmer warmer;
    private final TapRule tap;
    private final ReversalRule reversal;
    private final LogonRule logon;
    private final EngineCounters counters;

    /** Decide every journaled TAP and REVERSAL again and compare (verify), instead of applying their effects. */
    private final boolean verify;
    /**
     * What staging each record of the group being replayed looked up ({@link CacheWarmer#stageApplied}), by its
     * place in the group: used when it is applied, unless a command replayed in the group since may have changed the
     * terminals or programs ({@link #stagedValid}).
     */
    private final long[] stagedLookups = new long[Engine.WARM_CAPACITY];
    private boolean stagedValid;
    private long replayedRecords;
    private long replayExcerpts;
    private long replayNanos;

    EngineRecovery(
        final EngineConfig config, final EngineState state, final DecisionJournal journal,
        final CommandIntake commands, final EngineSnapshots snapshots, final CacheWarmer warmer, final TapRule tap,
        final ReversalRule reversal, final LogonRule logon, final EngineCounters counters)
    {
        this.config = config;
        this.state = state;
        this.journal = journal;
        this.commands = commands;
        this.snapshots = snapshots;
        this.warmer = warmer;
        this.tap = tap;
        this.reversal = reversal;
        this.logon = logon;
        this.counters = counters;
        this.verify = config.replayVerify();
    }

    /** Journal records decided again (after the snapshot, if one was loaded). */
    long replayedRecords()
    {
        return replayedRecords;
    }

    /** Nanoseconds spent reading and replaying the journal (after loading the snapshot, if any). */
    long replayNanos()
    {
        return replayNanos;
    }

    void recover()
    {
        long fromIndex = -1;
        long snapshotSequence = 0;
        if (config.loadSnapshot())
        {
            for (final Path file : snapshots.newestFirst())
            {
                try
                {
                    if (SnapshotInput.verifyChecksum(file))
                    {
                        snapshots.load(file);
                        fromIndex = journal.lastJournalIndex;
                        snapshotSequence = journal.sequence;
                        snapshots.lastSnapshotSequence = journal.sequence;
                        counters.snapshotBytes = Files.size(file);
                        break;
                    }
                }
                catch (final IOException | RuntimeException ex)
                {
                    resetState();
                }
            }
        }
        final JournalDecoder record = new JournalDecoder();
        final ReplayChunk chunk = new ReplayChunk(Engine.WARM_CAPACITY, 2 * JournalWriter.MAX_EXCERPT_BYTES);
        final JournalDecoder chunkRecord = new JournalDecoder();
        final long afterSequence = snapshotSequence;
        final long replayStartNs = System.nanoTime();
        config.replayProgress().replaying(JournalReplay.excerptsFrom(journal.writer(), fromIndex));
        journal.replaying = true;
        try
        {
            counters.journalTornExcerpts = JournalReplay.readExcerpts(journal.writer(), fromIndex,
                (index, buffer, length) ->
                {
                    replayExcerpts++;
                    int records = 0;
                    for (int at = 0; at < length; at += JournalExcerpt.checkedLength(buffer, at))
                    {
                        records++;
                    }
                    if (records >= IN_PLACE_MIN_RECORDS)
                    {
                        // a batch excerpt: replayed where it lies in the journal's mapped memory, no copy
                        replayChunk(chunk, chunkRecord);
                        replayInPlace(buffer, length, index, afterSequence, record);
                        return;
                    }
                    // small excerpts (single records) gathered into a chunk, so that their cache misses overlap
                    for (int at = 0; at < length; at += JournalExcerpt.checkedLength(buffer, at))
                    {
                        record.wrap(buffer, at, JournalExcerpt.checkedLength(buffer, at));
                        if (record.sequence() > afterSequence)
                        {
                            if (!chunk.add(buffer, at, record.recordLength(), index))
                            {
                                replayChunk(chunk, chunkRecord);
                                chunk.add(buffer, at, record.recordLength(), index);
                            }
                            stagedLookups[chunk.count() - 1] = stageReplayed(record);
                        }
                    }
                });
            replayChunk(chunk, chunkRecord);
            config.replayProgress().progress(replayExcerpts, replayedRecords);
        }
        finally
        {
            journal.replaying = false;
            replayNanos = System.nanoTime() - replayStartNs;
        }
        commands.positionAfterLast();
        commands.updateTableCounters();
        counters.lastReceipt = journal.sequence;
    }

    /**
     * Replays the records of one excerpt (after {@code afterSequence}) in place, {@link Engine#WARM_CAPACITY} at a
     * time: staged and warmed together, then replayed.
     */
    private void replayInPlace(
        final DirectBuffer buffer, final int length, final long index, final long afterSequence,
        final JournalDecoder record)
    {
        int at = 0;
        while (at < length)
        {
            final int groupStart = at;
            int staged = 0;
            while (at < length && staged < Engine.WARM_CAPACITY)
            {
                record.wrap(buffer, at, JournalExcerpt.checkedLength(buffer, at));
                if (record.sequence() > afterSequence)
                {
                    stagedLookups[staged++] = stageReplayed(record);
                }
                at += record.recordLength();
            }
            warmer.warm();
            stagedValid = true;
            int replayed = 0;
            for (int p = groupStart; p < at; p += record.recordLength())
            {
                record.wrap(buffer, p, JournalExcerpt.checkedLength(buffer, p));
                if (record.sequence() > afterSequence)
                {
                    replay(record, stagedLookups[replayed++]);
                    journal.lastJournalIndex = index;
                    replayedRecords++;
                }
            }
            config.replayProgress().progress(replayExcerpts, replayedRecords);
        }
    }

    /**
     * Stages a journaled TAP or REVERSAL for the warming of its chunk, as a live request is staged.
     *
     * @return what the staging looked up for applying the record ({@link CacheWarmer#stageApplied}), or
     * {@link CacheWarmer#NOT_STAGED}.
     */
    private long stageReplayed(final JournalDecoder record)
    {
        final int type = record.type();
        if (type == JournalRecord.TYPE_TAP && !verify && record.hasUsage())
        {
            return warmer.stageApplied(record.terminalId(), record.correlation(), record.programId(),
                record.usageUnit());
        }
        else if (type == JournalRecord.TYPE_TAP)
        {
            warmer.stage(record.terminalId(), true, record.correlation(), record.cardId(), record.requestedProgramId());
        }
        else if (type == JournalRecord.TYPE_REVERSAL)
        {
            warmer.stage(record.terminalId(), true, record.correlation(), record.cardId(), 0);
        }
        return CacheWarmer.NOT_STAGED;
    }

    /**
     * Replays the records gathered in the chunk, after loading what their decisions read: the cache misses of a
     * chunk's records overlap, as those of a batch of live requests do.
     */
    private void replayChunk(final ReplayChunk chunk, final JournalDecoder record)
    {
        warmer.warm();
        stagedValid = true;
        for (int i = 0, count = chunk.count(); i < count; i++)
        {
            record.wrap(chunk.buffer(), chunk.offset(i), chunk.length(i));
            final long index = chunk.index(i);
            replay(record, stagedLookups[i]);
            journal.lastJournalIndex = index;
            replayedRecords++;
        }
        chunk.clear();
        config.replayProgress().progress(replayExcerpts, replayedRecords);
    }

    /**
     * @param staged what staging the record looked up ({@link #stageReplayed}): used only while
     *               {@link #stagedValid}.
     */
    private void replay(final JournalDecoder record, final long staged)
    {
        journal.replaySequence = record.sequence();
        journal.replayed = record;
        final long nowMs = record.timeMs();
        switch (record.type())
        {
            case JournalRecord.TYPE_TAP:
                if (verify)
                {
                    tap.decide(nowMs, record.terminalId(), record.correlation(), record.cardId(),
                        record.requestedProgramId(), record.quantity(), record.flags(), record.terminalTimeMs());
                }
                else
                {
                    tap.apply(record, stagedValid ? staged : CacheWarmer.NOT_STAGED);
                }
                break;
            case JournalRecord.TYPE_REVERSAL:
                if (verify)
                {
                    reversal.decide(nowMs, record.terminalId(), record.correlation(), record.originalCorrelation(),
                        record.cardId());
                }
                else
                {
                    reversal.apply(record);
                }
                break;
            case JournalRecord.TYPE_LOGON:
                logon.replay(record);
                break;
            case JournalRecord.TYPE_COMMAND:
                // a command may add or remove terminals and programs: the group's staged lookups may be stale
                stagedValid = false;
                commands.replay(record);
                break;
            default:
                journal.replayMismatches++;
                journal.sequence = journal.replaySequence;
                break;
        }
    }

    /** A damaged snapshot: back to empty tables and no position, before the next snapshot or the whole journal. */
    void resetState()
    {
        state.reset();
        journal.sequence = 0;
        commands.reset();
        journal.lastJournalIndex = -1;
    }
}
