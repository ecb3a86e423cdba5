package io.tapswitch.switching.journal;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

import io.tapswitch.formats.journal.JournalReader;
import io.tapswitch.formats.journal.JournalRecord;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.FrameHeader;
import io.tapswitch.protocol.MessageType;
import io.tapswitch.protocol.Messages;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.formats.command.CommandPublisher;
import io.tapswitch.formats.command.CommandType;
import io.tapswitch.formats.demo.DemoDataset;
import io.tapswitch.switching.engine.Engine;
import io.tapswitch.switching.engine.EngineConfig;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The journal as the admin ingester sees it: every field of a TAP and REVERSAL record, tailing from a stored
 * position, and the lag.
 */
class JournalReaderTest
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final long NOW =
        LocalDateTime.of(2026, 11, 23, 12, 0).atZone(ZoneId.of("Europe/Kyiv")).toInstant().toEpochMilli();

    @TempDir
    Path dir;

    @Test
    void shouldExposeEveryFieldOfTapAndReversalRecordsAndTailFromPosition()
    {
        try (CommandPublisher publisher = new CommandPublisher(dir))
        {
            DemoDataset.publish(publisher, 10, 3);
        }
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[64]);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[FrameHeader.MAX_FRAME_BYTES]);
        try (Engine engine = Engine.open(new EngineConfig().dataDir(dir).snapshotIntervalMs(0));
            JournalReader reader = new JournalReader(dir))
        {
            while (engine.pollCommands(NOW, 100) > 0)
            {
                // apply all
            }
            final List<String> commands = new ArrayList<>();
            assertThat(reader.poll((index, r) -> commands.add(CommandType.name(r.commandType())), 1000))
                .isEqualTo(19);
            assertThat(commands).startsWith("DEFINE_OUTLET").endsWith("ISSUE_CARDS");
            assertThat(reader.lagEntries()).isZero();
            final long position = reader.lastReadIndex();

            frame.putShort(0, (short)FrameHeader.lengthFieldFor(Messages.Tap.BODY_LENGTH), LE);
            frame.putByte(FrameHeader.VERSION_OFFSET, (byte)1);
            frame.putByte(FrameHeader.TYPE_OFFSET, (byte)MessageType.TAP);
            frame.putInt(FrameHeader.CORRELATION_OFFSET, 4242, LE);
            frame.putLong(8 + Messages.Tap.CARD_ID_OFFSET, 1000002, LE);
            frame.putInt(8 + Messages.Tap.PROGRAM_ID_OFFSET, 0, LE);
            frame.putShort(8 + Messages.Tap.QUANTITY_OFFSET, (short)1, LE);
            frame.putShort(8 + Messages.Tap.FLAGS_OFFSET, (short)1, LE);
            frame.putLong(8 + Messages.Tap.TERMINAL_TIME_MS_OFFSET, NOW - 5000, LE);
            engine.onRequest(NOW, 3, frame, 0, out, 0);
            final long receipt = out.getLong(8 + Messages.TapResult.RECEIPT_OFFSET, LE);

            frame.putShort(0, (short)FrameHeader.lengthFieldFor(Messages.Reversal.BODY_LENGTH), LE);
            frame.putByte(FrameHeader.TYPE_OFFSET, (byte)MessageType.REVERSAL);
            frame.putInt(FrameHeader.CORRELATION_OFFSET, 4243, LE);
            frame.putInt(8 + Messages.Reversal.ORIGINAL_CORRELATION_OFFSET, 4242, LE);
            frame.putInt(8 + Messages.Reversal.ORIGINAL_CORRELATION_OFFSET + 4, 0, LE);
            frame.putLong(8 + Messages.Reversal.CARD_ID_OFFSET, 1000002, LE);
            engine.onRequest(NOW + 1000, 3, frame, 0, out, 0);
            assertThat(reader.lagEntries()).isEqualTo(2);

            try (JournalReader resumed = new JournalReader(dir))
            {
                final long unknownIndex = position + (1L << 40);
                assertThat(resumed.moveAfter(unknownIndex)).isFalse();
                assertThat(resumed.lastReadIndex()).isEqualTo(JournalReader.NO_INDEX);
                assertThat(resumed.lagEntries()).isEqualTo(21);
                assertThat(resumed.moveAfter(position)).isTrue();
                final List<String> seen = new ArrayList<>();
                resumed.poll((index, r) ->
                {
                    if (r.type() == JournalRecord.TYPE_TAP)
                    {
                        assertThat(r.receipt()).isEqualTo(receipt);
                        assertThat(r.timeMs()).isEqualTo(NOW);
                        assertThat(r.terminalId()).isEqualTo(3);
                        assertThat(r.outletId()).isEqualTo(3);
                        assertThat(r.correlation()).isEqualTo(4242);
                        assertThat(r.cardId()).isEqualTo(1000002);
                        assertThat(r.holderId()).isEqualTo(1000002);
                        assertThat(r.requestedProgramId()).isZero();
                        assertThat(r.programId()).isEqualTo(1);
                        assertThat(r.quantity()).isEqualTo(1);
                        assertThat(r.flags()).isEqualTo(1);
                        assertThat(r.terminalTimeMs()).isEqualTo(NOW - 5000);
                        assertThat(r.decision()).isEqualTo(Decision.APPROVED);
                        assertThat(r.reason()).isEqualTo(ReasonCode.OK);
                        assertThat(r.remaining()).isZero();
                        assertThat(r.taken()).isEqualTo(1);
                    }
                    else
                    {
                        assertThat(r.type()).isEqualTo(JournalRecord.TYPE_REVERSAL);
                        assertThat(r.receipt()).isEqualTo(receipt + 1);
                        assertThat(r.originalCorrelation()).isEqualTo(4242);
                        assertThat(r.originalReceipt()).isEqualTo(receipt);
                        assertThat(r.restored()).isEqualTo(1);
                        assertThat(r.programId()).isEqualTo(1);
                        assertThat(r.remaining()).isEqualTo(1);
                        assertThat(r.decision()).isEqualTo(Decision.APPROVED);
                    }
                    seen.add(r.toString());
                }, 10);
                assertThat(seen).hasSize(2);
                assertThat(resumed.lagEntries()).isZero();
                assertThat(resumed.lastReadIndex()).isEqualTo(resumed.lastIndex());
            }
        }
    }
}
