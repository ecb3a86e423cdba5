package io.tapswitch.switching.engine;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.tapswitch.protocol.FrameHeader;
import io.tapswitch.protocol.Messages;
import io.tapswitch.protocol.MessageType;
import io.tapswitch.formats.command.CommandPublisher;
import io.tapswitch.formats.command.Commands;
import io.tapswitch.formats.demo.DemoDataset;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Drives a real {@link Engine} on a data directory: publishes commands through a real {@link CommandPublisher},
 * encodes request frames as a terminal would and decodes the response frames.
 */
final class Harness implements AutoCloseable
{
    static final ZoneId KYIV = ZoneId.of("Europe/Kyiv");
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    final Path dataDir;
    final EngineConfig config;
    final CommandPublisher publisher;
    final UnsafeBuffer commandBuffer = new UnsafeBuffer(new byte[Commands.MAX_COMMAND_BYTES]);
    final UnsafeBuffer frame = new UnsafeBuffer(new byte[FrameHeader.MAX_FRAME_BYTES]);
    final UnsafeBuffer out = new UnsafeBuffer(new byte[FrameHeader.MAX_FRAME_BYTES]);
    Engine engine;
    int lastResponseLength;
    /**
     * When set, every request is first staged with {@link Engine#prepare} (with its own session and with an unknown
     * one, and — every so often — past the staging capacity) and {@link Engine#warm()}ed, as the engine thread of the
     * switch does for a batch.
     */
    boolean warmAhead;
    private int warmed;
    /** Engines dropped by {@link #crashAndRestart()}: left open, as a killed process leaves its files, until close. */
    private final java.util.List<Engine> dropped = new java.util.ArrayList<>();

    Harness(final Path dataDir)
    {
        this(new EngineConfig().dataDir(dataDir).snapshotIntervalMs(0));
    }

    Harness(final EngineConfig config)
    {
        this.dataDir = config.dataDir();
        this.config = config;
        this.engine = Engine.open(config);
        this.publisher = new CommandPublisher(dataDir);
    }

    /**
     * Wraps an engine opened by the caller (e.g. to read its counters of the recovery first).
     */
    Harness(final Engine engine, final Path dataDir, final EngineConfig config)
    {
        this.dataDir = dataDir;
        this.config = config;
        this.engine = engine;
        this.publisher = new CommandPublisher(dataDir);
    }

    /**
     * Drops the engine as a killed process would (nothing flushed, no snapshot) and closes the command publisher.
     */
    void abandonEngine()
    {
        engine.abandon();
        publisher.close();
    }

    static long kyiv(final int year, final int month, final int day, final int hour, final int minute)
    {
        return LocalDateTime.of(year, month, day, hour, minute).atZone(KYIV).toInstant().toEpochMilli();
    }

    Harness demo(final int cards, final int terminals)
    {
        DemoDataset.publish(publisher, cards, terminals);
        drainCommands(0);
        return this;
    }

    /** Publishes one command encoded at offset 0 of {@link #commandBuffer} and applies it. */
    long command(final int length)
    {
        final long index = publisher.publish(commandBuffer, 0, length);
        if (index < 0)
        {
            throw new IllegalStateException("publisher refused: " + index);
        }
        drainCommands(0);
        return index;
    }

    long nextCommandId()
    {
        return publisher.nextCommandId();
    }

    void drainCommands(final long nowMs)
    {
        while (engine.pollCommands(nowMs, 256) > 0)
        {
            // keep applying
        }
    }

    void restart()
    {
        engine.close();
        engine = Engine.open(config);
    }

    /**
     * Drops the engine without closing it (no final snapshot, its queues and appender left open) and opens a new one
     * on the same directory, as after a crash of the process.
     */
    void crashAndRestart()
    {
        dropped.add(engine);
        engine = Engine.open(config);
    }

    private static void header(final UnsafeBuffer b, final int type, final int correlation, final int bodyLength)
    {
        b.putShort(FrameHeader.LENGTH_OFFSET, (short)FrameHeader.lengthFieldFor(bodyLength), LE);
        b.putByte(FrameHeader.VERSION_OFFSET, (byte)FrameHeader.VERSION);
        b.putByte(FrameHeader.TYPE_OFFSET, (byte)type);
        b.putInt(FrameHeader.CORRELATION_OFFSET, correlation, LE);
    }

    Result tap(final long nowMs, final long terminalId, final int correlation, final long cardId, final int programId,
        final int quantity)
    {
        return tap(nowMs, terminalId, correlation, cardId, programId, quantity, 0, nowMs);
    }

    Result advice(final long nowMs, final long terminalId, final int correlation, final long cardId,
        final int programId, final int quantity, final long terminalTimeMs)
    {
        return tap(nowMs, terminalId, correlation, cardId, programId, quantity, Messages.Tap.FLAG_OFFLINE_ADVICE,
            terminalTimeMs);
    }

    Result tap(final long nowMs, final long terminalId, final int correlation, final long cardId, final int programId,
        final int quantity, final int flags, final long terminalTimeMs)
    {
        header(frame, MessageType.TAP, correlation, Messages.Tap.BODY_LENGTH);
        final int body = FrameHeader.BODY_OFFSET;
        frame.putLong(body + Messages.Tap.CARD_ID_OFFSET, cardId, LE);
        frame.putInt(body + Messages.Tap.PROGRAM_ID_OFFSET, programId, LE);
        frame.putShort(body + Messages.Tap.QUANTITY_OFFSET, (short)quantity, LE);
        frame.putShort(body + Messages.Tap.FLAGS_OFFSET, (short)flags, LE);
        frame.putLong(body + Messages.Tap.TERMINAL_TIME_MS_OFFSET, terminalTimeMs, LE);
        return send(nowMs, terminalId, MessageType.TAP_RESULT, correlation);
    }

    Result reversal(final long nowMs, final long terminalId, final int correlation, final int originalCorrelation,
        final long cardId)
    {
        header(frame, MessageType.REVERSAL, correlation, Messages.Reversal.BODY_LENGTH);
        final int body = FrameHeader.BODY_OFFSET;
        frame.putInt(body + Messages.Reversal.ORIGINAL_CORRELATION_OFFSET, originalCorrelation, LE);
        frame.putInt(body + Messages.Reversal.ORIGINAL_CORRELATION_OFFSET + 4, 0, LE);
        frame.putLong(body + Messages.Reversal.CARD_ID_OFFSET, cardId, LE);
        return send(nowMs, terminalId, MessageType.REVERSAL_RESULT, correlation);
    }

    private void warmAheadIfSet(final long terminalId)
    {
        if (warmAhead)
        {
            final int stagings = ++warmed % 50 == 0 ? Engine.WARM_CAPACITY + 10 : 1;
            for (int i = 0; i < stagings; i++)
            {
                engine.prepare(terminalId, frame, 0);
            }
            engine.prepare(9_999_999L, frame, 0);
            engine.warm();
        }
    }

    private Result send(final long nowMs, final long terminalId, final int expectedType, final int correlation)
    {
        warmAheadIfSet(terminalId);
        final int length = engine.onRequest(nowMs, terminalId, frame, 0, out, 0);
        lastResponseLength = length;
        check(length, expectedType, correlation, Messages.TapResult.BODY_LENGTH);
        final int body = FrameHeader.BODY_OFFSET;
        return new Result(out.getByte(body + Messages.TapResult.DECISION_OFFSET),
            out.getByte(body + Messages.TapResult.REASON_OFFSET),
            out.getInt(body + Messages.TapResult.REMAINING_OFFSET, LE),
            out.getLong(body + Messages.TapResult.RECEIPT_OFFSET, LE));
    }

    private void check(final int length, final int expectedType, final int correlation, final int bodyLength)
    {
        if (length != FrameHeader.HEADER_BYTES + bodyLength ||
            (out.getShort(FrameHeader.LENGTH_OFFSET, LE) & 0xFFFF) != FrameHeader.lengthFieldFor(bodyLength) ||
            out.getByte(FrameHeader.VERSION_OFFSET) != FrameHeader.VERSION ||
            (out.getByte(FrameHeader.TYPE_OFFSET) & 0xFF) != expectedType ||
            out.getInt(FrameHeader.CORRELATION_OFFSET, LE) != correlation)
        {
            throw new AssertionError("bad response frame: length=" + length + " type=" +
                (out.getByte(FrameHeader.TYPE_OFFSET) & 0xFF));
        }
    }

    Balance balance(final long nowMs, final long terminalId, final long cardId)
    {
        header(frame, MessageType.BALANCE, 77, Messages.Balance.BODY_LENGTH);
        frame.putLong(FrameHeader.BODY_OFFSET + Messages.Balance.CARD_ID_OFFSET, cardId, LE);
        warmAheadIfSet(terminalId);
        final int length = engine.onRequest(nowMs, terminalId, frame, 0, out, 0);
        final int body = FrameHeader.BODY_OFFSET;
        final int count = out.getShort(body + Messages.BalanceResult.COUNT_OFFSET, LE) & 0xFFFF;
        check(length, MessageType.BALANCE_RESULT, 77, Messages.BalanceResult.bodyLength(count));
        final int[][] entries = new int[count][];
        for (int i = 0; i < count; i++)
        {
            final int entry = body + Messages.BalanceResult.ENTRIES_OFFSET + i * Messages.BalanceResult.ENTRY_BYTES;
            entries[i] = new int[] {
                out.getInt(entry + Messages.BalanceResult.ENTRY_PROGRAM_ID_OFFSET, LE),
                out.getInt(entry + Messages.BalanceResult.ENTRY_REMAINING_OFFSET, LE),
                out.getInt(entry + Messages.BalanceResult.ENTRY_QUOTA_OFFSET, LE)};
        }
        return new Balance(out.getByte(body + Messages.BalanceResult.DECISION_OFFSET),
            out.getByte(body + Messages.BalanceResult.REASON_OFFSET), entries);
    }

    /** Sends a LOGON with a mac computed by javax.crypto.Mac over the body bytes 0..31. */
    Logon logon(final long nowMs, final long sessionTerminalId, final long terminalId, final long timestampMs,
        final long nonce, final byte[] key)
    {
        return logon(nowMs, sessionTerminalId, terminalId, timestampMs, nonce, ~nonce, key);
    }

    /** Sends a LOGON whose 16-byte nonce has the given high and low halves. */
    Logon logon(final long nowMs, final long sessionTerminalId, final long terminalId, final long timestampMs,
        final long nonceHi, final long nonceLo, final byte[] key)
    {
        header(frame, MessageType.LOGON, 5, Messages.Logon.BODY_LENGTH);
        final int body = FrameHeader.BODY_OFFSET;
        frame.putLong(body + Messages.Logon.TERMINAL_ID_OFFSET, terminalId, LE);
        frame.putLong(body + Messages.Logon.TIMESTAMP_MS_OFFSET, timestampMs, LE);
        frame.putLong(body + Messages.Logon.NONCE_OFFSET, nonceHi, LE);
        frame.putLong(body + Messages.Logon.NONCE_OFFSET + 8, nonceLo, LE);
        final byte[] input = new byte[Messages.Logon.MAC_INPUT_BYTES];
        frame.getBytes(body, input);
        frame.putBytes(body + Messages.Logon.MAC_OFFSET, hmacSha256(key, input));
        final int length = engine.onRequest(nowMs, sessionTerminalId, frame, 0, out, 0);
        check(length, MessageType.LOGON_RESULT, 5, Messages.LogonResult.BODY_LENGTH);
        return new Logon(out.getByte(body + Messages.LogonResult.RESULT_OFFSET),
            out.getInt(body + Messages.LogonResult.HEARTBEAT_MS_OFFSET, LE),
            out.getLong(body + Messages.LogonResult.SERVER_TIME_MS_OFFSET, LE));
    }

    static byte[] hmacSha256(final byte[] key, final byte[] input)
    {
        try
        {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(input);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public void close()
    {
        publisher.close();
        engine.close();
        for (final Engine old : dropped)
        {
            old.abandon();
        }
    }

    record Result(int decision, int reason, int remaining, long receipt)
    {
    }

    record Balance(int decision, int reason, int[][] entries)
    {
    }

    record Logon(int result, int heartbeatMs, long serverTimeMs)
    {
    }
}
