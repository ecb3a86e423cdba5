package io.tapswitch.admin.ingest;

import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.SplittableRandom;

import io.tapswitch.admin.TestPostgres;
import io.tapswitch.admin.db.Database;
import io.tapswitch.admin.db.EmbeddedDatabase;
import io.tapswitch.formats.journal.JournalDecoder;
import io.tapswitch.formats.journal.JournalEncoder;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;
import io.vertx.pgclient.PgConnectOptions;
import org.agrona.concurrent.UnsafeBuffer;
import org.postgresql.PGConnection;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ingester writes taps by COPY BINARY (issue 14): PostgreSQL takes the fields' bytes by the columns' types, so a
 * wrong width, epoch or byte order would store wrong values (or fail). The same journal records — taps and reversals,
 * online and offline, every decision and reason, edge times and ids — go into the migrated {@code taps} table once in
 * the binary format and once in the text format the ingester wrote before (whose numbers and timestamps
 * {@link CopyTextTest} checks), and every column of every row must be equal.
 */
class CopyBinaryTest
{
    private static final String COLUMNS = "(receipt, type, decided_at, terminal_id, outlet_id, correlation, card_id, " +
        "holder_id, program_id, quantity, offline, terminal_time, decision, reason, remaining, journal_index)";

    @Test
    void shouldStoreEveryColumnAsTheTextFormatDoes() throws Exception
    {
        final String url = TestPostgres.newDatabase();
        Database.migrate(PgConnectOptions.fromUri(url));
        final CopyBinary binary = new CopyBinary();
        final CopyText text = new CopyText();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final JournalDecoder decoder = new JournalDecoder();
        final SplittableRandom random = new SplittableRandom(14);
        final long[] times = {946_684_800_000L, 946_684_799_999L, 1, 1_772_323_200_000L, 4_107_542_399_999L};
        final int rows = 3_000;
        for (int i = 0; i < rows; i++)
        {
            final long receipt = i == 0 ? Long.MAX_VALUE : i == 1 ? 1 : random.nextLong(1, Long.MAX_VALUE);
            final long time = i < times.length ? times[i] : random.nextLong(946_000_000_000L, 4_000_000_000_000L);
            final long terminal = i == 2 ? Long.MAX_VALUE : random.nextLong(0, 1L << 40);
            final int correlation = i == 3 ? -1 : random.nextInt();
            final int outlet = i == 4 ? Integer.MAX_VALUE : random.nextInt(0, 100_000);
            final long card = i == 0 ? Long.MIN_VALUE + 1 : random.nextLong();
            final long holder = random.nextLong(1, 1L << 50);
            final int program = random.nextInt(1, 65);
            final int decision = random.nextInt(0, 3);
            final int reason = random.nextInt(0, 8);
            final int remaining = i == 5 ? Integer.MIN_VALUE : random.nextInt();
            final boolean tap = random.nextInt(4) != 0;
            if (tap)
            {
                final boolean offline = random.nextBoolean();
                final long served = offline ? time - random.nextLong(0, 30L * 86_400_000L) : 0;
                JournalEncoder.tap(buffer, receipt, time, terminal, correlation, outlet, card, holder, program, program,
                    random.nextInt(1, 30_000), offline ? 1 : 0, decision, reason, remaining, 1, served);
            }
            else
            {
                JournalEncoder.reversal(buffer, receipt, time, terminal, correlation, outlet, card, holder,
                    random.nextInt(), program, random.nextInt(0, 30_000), decision, reason, remaining, receipt - 1);
            }
            decoder.wrap(buffer, 0, 88);
            final int quantity = tap ? decoder.quantity() : decoder.restored();
            final String decisionName = Decision.name(decoder.decision());
            final String reasonName = ReasonCode.name(decoder.reason());
            final long index = random.nextLong(0, Long.MAX_VALUE);
            binary.row(index, decoder, tap, quantity, decisionName, reasonName);
            text.row(index, decoder, tap, quantity, decisionName, reasonName);
        }
        binary.finish();
        assertThat(binary.rows()).isEqualTo(rows);
        final String jdbc = "jdbc:" + url.replace("postgres@", "");
        try (Connection conn = DriverManager.getConnection(jdbc, EmbeddedDatabase.USER, null);
            Statement statement = conn.createStatement())
        {
            statement.execute("CREATE TABLE taps_text (LIKE taps)");
            final var copy = conn.unwrap(PGConnection.class).getCopyAPI();
            assertThat(copy.copyIn("COPY taps " + COLUMNS + " FROM STDIN (FORMAT binary)",
                new ByteArrayInputStream(binary.bytes(), 0, binary.length()))).isEqualTo(rows);
            assertThat(copy.copyIn("COPY taps_text " + COLUMNS + " FROM STDIN", new StringReader(text.text())))
                .isEqualTo(rows);
            try (ResultSet rs = statement.executeQuery("SELECT (SELECT count(*) FROM (SELECT * FROM taps EXCEPT " +
                "SELECT * FROM taps_text) a), (SELECT count(*) FROM (SELECT * FROM taps_text EXCEPT SELECT * FROM taps) b), " +
                "(SELECT count(*) FROM taps WHERE terminal_time IS NOT NULL), (SELECT count(*) FROM taps WHERE offline), " +
                "(SELECT count(DISTINCT decision) FROM taps), (SELECT count(*) FROM taps WHERE type = 'REVERSAL')"))
            {
                rs.next();
                assertThat(rs.getLong(1)).as("rows the binary COPY stored differently").isZero();
                assertThat(rs.getLong(2)).as("rows the text COPY stored differently").isZero();
                assertThat(rs.getLong(3)).as("offline taps with a terminal time").isPositive();
                assertThat(rs.getLong(4)).isEqualTo(rs.getLong(3));
                assertThat(rs.getLong(5)).isEqualTo(3);
                assertThat(rs.getLong(6)).isPositive();
            }
            try (ResultSet rs = statement.executeQuery("SELECT decided_at = timestamptz '2000-01-01 00:00:00+00', " +
                "card_id = " + (Long.MIN_VALUE + 1) + " FROM taps WHERE receipt = " + Long.MAX_VALUE))
            {
                rs.next();
                assertThat(rs.getBoolean(1)).as("PostgreSQL's epoch").isTrue();
                assertThat(rs.getBoolean(2)).isTrue();
            }
        }
    }
}
