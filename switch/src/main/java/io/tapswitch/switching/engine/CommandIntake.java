package io.tapswitch.switching.engine;

import java.nio.ByteOrder;

import io.tapswitch.formats.command.CommandDecoder;
import io.tapswitch.formats.command.CommandRejectReason;
import io.tapswitch.formats.command.Commands;
import io.tapswitch.formats.journal.JournalDecoder;
import io.tapswitch.switching.journal.CommandQueueTailer;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Admin commands from the command queue into the engine: reads them in queue order ({@link #poll}), skips a command
 * id already applied, has each checked ({@link CommandDecoder#check()}, then {@link CommandRules#validate}), journals
 * its outcome and only then applies it ({@link CommandRules#apply}); a recovery feeds the journaled commands through
 * the same path ({@link #replay}). The rules themselves are in {@link CommandRules}.
 * <p>
 * Not thread-safe; engine thread.
 */
final class CommandIntake implements AutoCloseable
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private final EngineState state;
    private final DecisionJournal journal;
    private final EngineCounters counters;
    private final CommandRules rules;
    private final CommandQueueTailer queue;
    private final UnsafeBuffer commandBuffer = new UnsafeBuffer(new byte[Commands.MAX_COMMAND_BYTES]);
    private final CommandDecoder command = new CommandDecoder();

    /** Id of the last command applied or rejected. */
    long lastCommandId;
    /** Command queue index of the last command read (applied, rejected or skipped), -1 if none. */
    long lastCommandQueueIndex = -1;

    CommandIntake(
        final EngineState state, final DecisionJournal journal, final EngineCounters counters,
        final CommandQueueTailer queue)
    {
        this.state = state;
        this.journal = journal;
        this.counters = counters;
        this.rules = new CommandRules(counters);
        this.queue = queue;
    }

    /**
     * Applies up to limit pending commands from the queue; see {@link Engine#pollCommands}.
     *
     * @return how many were read (applied, rejected or skipped as already applied).
     */
    int poll(final long nowMs, final int limit)
    {
        int read = 0;
        while (read < limit)
        {
            final long available = queue.next(commandBuffer);
            if (available < 0)
            {
                break;
            }
            final long queueIndex = queue.index();
            final int length = (int)Math.min(available, commandBuffer.capacity());
            if (available > commandBuffer.capacity())
            {
                // too long for any layout: keep only the header so it is rejected as MALFORMED
                commandBuffer.putInt(Commands.BODY_LENGTH_OFFSET, -1, LE);
            }
            read++;
            command.wrap(commandBuffer, 0, length);
            final long commandId = command.commandId();
            if (length >= Commands.HEADER_BYTES && commandId <= lastCommandId)
            {
                counters.commandsDuplicate++;
                lastCommandQueueIndex = queueIndex;
                continue;
            }
            handle(nowMs, queueIndex);
        }
        return read;
    }

    /**
     * Applies one command handed in by the caller; see {@link Engine#applyCommand}.
     *
     * @return true when applied or rejected, false when skipped as already applied.
     */
    boolean apply(final long nowMs, final DirectBuffer buffer, final int offset, final int length, final long queueIndex)
    {
        final int copied = Math.min(length, commandBuffer.capacity());
        commandBuffer.putBytes(0, buffer, offset, copied);
        command.wrap(commandBuffer, 0, copied);
        if (copied >= Commands.HEADER_BYTES && command.commandId() <= lastCommandId)
        {
            counters.commandsDuplicate++;
            return false;
        }
        handle(nowMs, queueIndex);
        return true;
    }

    /** Replays a journaled command record through the same checks (its journaled outcome is compared). */
    void replay(final JournalDecoder record)
    {
        command.wrap(record.buffer(), record.commandBytesOffset(), record.commandLength());
        journal.replayedOutcome = record.commandOutcome();
        handle(record.timeMs(), record.commandQueueIndex());
    }

    private void handle(final long nowMs, final long queueIndex)
    {
        rules.tables = state.tables;
        int reject = command.check();
        if (reject == CommandRejectReason.NONE)
        {
            reject = rules.validate(command);
        }
        final long commandId = command.commandId();
        final long seq = journal.nextSequence();
        final int length = command.length();
        journal.command(seq, nowMs, command, reject, queueIndex);
        if (reject == CommandRejectReason.NONE)
        {
            try
            {
                rules.apply(command);
            }
            catch (final RuntimeException ex)
            {
                // a validated command should never fail; if it does, it fails the same way on replay, so the
                // state stays a function of the journal, and the engine goes on with the next command
                counters.commandErrors++;
            }
            if (!journal.replaying)
            {
                counters.commandsApplied++;
            }
        }
        else if (!journal.replaying)
        {
            counters.commandsRejected++;
        }
        if (commandId > lastCommandId && length >= Commands.HEADER_BYTES)
        {
            lastCommandId = commandId;
        }
        lastCommandQueueIndex = queueIndex;
        updateTableCounters();
    }

    /** The table sizes and the last receipt, for the metrics. */
    void updateTableCounters()
    {
        final Tables tables = state.tables;
        counters.cards = tables.cards.size();
        counters.holders = tables.holders.size();
        counters.entitlements = tables.entitlements;
        counters.terminals = tables.terminals.size();
        counters.programs = tables.programs.size();
        counters.outlets = tables.outlets.size();
        counters.lastReceipt = journal.sequence;
    }

    /** After a recovery: the queue is read from the command after the last one journaled. */
    void positionAfterLast()
    {
        queue.positionAfter(lastCommandQueueIndex);
    }

    /** Forgets the commands applied (a recovery that starts again from empty tables). */
    void reset()
    {
        lastCommandId = 0;
        lastCommandQueueIndex = -1;
    }

    @Override
    public void close()
    {
        queue.close();
    }
}
