package io.tapswitch.admin.demo;

import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.HexFormat;

import io.tapswitch.admin.AdminService;
import io.tapswitch.admin.outbox.CommandOutbox;
import io.tapswitch.admin.outbox.SwitchCommand;
import io.tapswitch.formats.command.CardStatus;
import io.tapswitch.formats.command.CardKind;
import io.tapswitch.formats.command.Commands;
import io.tapswitch.formats.command.IssueCardsEncoder;
import io.tapswitch.formats.command.PeriodRule;
import io.tapswitch.formats.command.ProgramKind;
import io.tapswitch.formats.command.ProgramUnit;
import io.tapswitch.formats.demo.DemoDataset;
import org.agrona.concurrent.UnsafeBuffer;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Loads the fixed demo dataset ({@code shared/DEMO-DATA.md}) through the admin service, so PostgreSQL and the switch
 * both hold it: the registry rows go in by COPY, and the switch's commands go into the outbox in the same
 * transaction (10 DEFINE_OUTLET, 5 DEFINE_PROGRAM, one REGISTER_TERMINAL per terminal with its public demo key,
 * sealed like any key, and ISSUE_CARDS batches of 1 024 cards), to be published by the outbox publisher like any
 * other change. The rules (household, status, expiry, enrolment, terminal outlet and key) are the switch's own
 * {@link DemoDataset} functions. Loading a registry that already holds outlet 1 does nothing.
 * <p>
 * Blocking (JDBC): call it off the Vert.x event loop. Thread-safe (one transaction per call).
 */
public final class AdminDemoLoader
{
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AdminDemoLoader.class);
    /** Programs 1–5 of the dataset, in the order of the ISSUE_CARDS enrolment mask. */
    private static final int[] PROGRAMS = {1, 2, 3, 4, 5};

    /**
     * What a load did.
     *
     * @param loaded   false when the registry already held the demo data.
     * @param cards    cards inserted.
     * @param terminals terminals inserted.
     * @param commands commands put in the outbox.
     * @param elapsedMs time taken.
     */
    public record Result(boolean loaded, int cards, int terminals, int commands, long elapsedMs)
    {
    }

    private AdminDemoLoader()
    {
    }

    /**
     * @param service   a started admin service.
     * @param cards     N: cards 1000001 … 1000000+N (holders with the same ids, three per household).
     * @param terminals T: terminals 1 … T.
     * @return what was done.
     */
    public static Result load(final AdminService service, final int cards, final int terminals) throws SQLException, IOException
    {
        if (cards < 1 || terminals < 1)
        {
            throw new IllegalArgumentException("cards and terminals must be >= 1: " + cards + ", " + terminals);
        }
        final long startNs = System.nanoTime();
        final CommandOutbox outbox = service.context().outbox();
        final Timestamp now = Timestamp.from(service.config().clock().instant());
        try (Connection conn = service.database().jdbcConnection())
        {
            conn.setAutoCommit(false);
            try (Statement statement = conn.createStatement())
            {
                statement.execute("SELECT pg_advisory_xact_lock(" + CommandOutbox.LOCK_KEY + ")");
                try (ResultSet rs = statement.executeQuery("SELECT count(*) FROM outlets WHERE id = 1"))
                {
                    rs.next();
                    if (rs.getLong(1) > 0)
                    {
                        conn.rollback();
                        return new Result(false, 0, 0, 0, (System.nanoTime() - startNs) / 1_000_000);
                    }
                }
                skipReferenceChecks(conn, statement);
                insertRegistry(conn, statement, now, cards, terminals);
                final int commands = insertCommands(conn, outbox, now, cards, terminals);
                LOG.info("demo load: {} commands in the outbox at {} ms", commands, (System.nanoTime() - startNs) / 1_000_000);
                statement.execute("INSERT INTO audit_log (at, actor, role, action, resource, resource_id, after) VALUES ('" + now +
                    "', 'system', 'center_admin', 'demo.load', 'demo', 'DEMO-DATA', '{\"cards\": " + cards + ", \"terminals\": " +
                    terminals + "}')");
                for (final String table : new String[] {"institutions", "outlets", "programs", "households", "cardholders", "terminals"})
                {
                    statement.execute("SELECT setval(pg_get_serial_sequence('" + table + "', 'id'), GREATEST((SELECT max(id) FROM " +
                        table + "), 1))");
                }
                conn.commit();
                LOG.info("demo load: committed at {} ms", (System.nanoTime() - startNs) / 1_000_000);
                service.publisher().wake();
                return new Result(true, cards, terminals, commands, (System.nanoTime() - startNs) / 1_000_000);
            }
            catch (final SQLException | IOException | RuntimeException ex)
            {
                conn.rollback();
                throw ex;
            }
        }
    }

    /**
     * The generated rows reference each other consistently by construction, so a superuser session (the embedded
     * PostgreSQL) skips the per-row foreign-key triggers for this transaction ({@code session_replication_role =
     * replica}), which makes the load several times faster; without the right the load simply checks every row.
     */
    private static void skipReferenceChecks(final Connection conn, final Statement statement) throws SQLException
    {
        final java.sql.Savepoint savepoint = conn.setSavepoint();
        try
        {
            statement.execute("SET LOCAL session_replication_role = replica");
            conn.releaseSavepoint(savepoint);
        }
        catch (final SQLException ex)
        {
            conn.rollback(savepoint);
            LOG.info("demo load: foreign keys checked row by row ({})", ex.getSQLState());
        }
    }

    private static void insertRegistry(final Connection conn, final Statement statement, final Timestamp now, final int cards,
        final int terminals) throws SQLException, IOException
    {
        final String at = "'" + now + "'";
        statement.execute("INSERT INTO institutions (id, name, kind, district, created_at, updated_at) VALUES " +
            "(1, 'Demo city social service', 'SOCIAL_SERVICE', NULL, " + at + ", " + at + "), " +
            "(2, 'Demo school district', 'SCHOOL', NULL, " + at + ", " + at + ")");
        final StringBuilder outlets = new StringBuilder("INSERT INTO outlets (id, institution_id, name, kind, created_at, updated_at) VALUES ");
        for (int outlet = 1; outlet <= DemoDataset.OUTLETS; outlet++)
        {
            final boolean aid = outlet <= 5;
            outlets.append(outlet == 1 ? "" : ", ").append('(').append(outlet).append(", ").append(aid ? 1 : 2).append(", '")
                .append(aid ? "Aid distribution point " : "School canteen ").append(outlet).append("', '")
                .append(aid ? "DISTRIBUTION_POINT" : "CANTEEN").append("', ").append(at).append(", ").append(at).append(')');
        }
        statement.execute(outlets.toString());
        statement.execute("INSERT INTO programs (id, name, kind, funding, donor, unit, period, quota, valid_from, valid_to, " +
            "window_from, window_to, created_at, updated_at) VALUES " +
            "(1, 'Food kit', 'AID', 'CITY_BUDGET', NULL, 'HOUSEHOLD', 'MONTH', 1, NULL, NULL, NULL, NULL, " + at + ", " + at + "), " +
            "(2, 'Hygiene kit', 'AID', 'DONOR', 'Demo Donor', 'PERSON', 'MONTH', 2, NULL, NULL, NULL, NULL, " + at + ", " + at + "), " +
            "(3, 'School lunch', 'MEAL', 'CITY_BUDGET', NULL, 'PERSON', 'DAY', 1, NULL, NULL, NULL, NULL, " + at + ", " + at + "), " +
            "(4, 'Breakfast', 'MEAL', 'CITY_BUDGET', NULL, 'PERSON', 'DAY', 1, NULL, NULL, 450, 570, " + at + ", " + at + "), " +
            "(5, 'Winter kit', 'AID', 'CITY_BUDGET', NULL, 'HOUSEHOLD', 'ONCE', 1, '2020-01-01', '2020-03-31', NULL, NULL, " +
            at + ", " + at + ")");
        statement.execute("INSERT INTO program_outlets (program_id, outlet_id) SELECT p, o FROM generate_series(1, 5) p, " +
            "generate_series(1, 10) o WHERE (p IN (1, 2, 5) AND o <= 5) OR (p IN (3, 4) AND o > 5)");
        statement.execute("UPDATE outlets SET default_program_id = CASE WHEN id <= 5 THEN 1 ELSE 3 END");

        final long startNs = System.nanoTime();
        final CopyManager copy = conn.unwrap(PGConnection.class).getCopyAPI();
        final long lastCard = DemoDataset.FIRST_CARD_ID + cards - 1;
        final long households = DemoDataset.householdOf(lastCard);
        final String ts = now.toInstant().toString();
        final StringBuilder rows = new StringBuilder(cards * 64);
        for (long household = 1; household <= households; household++)
        {
            rows.append(household).append('\t').append(DemoPeople.district(household)).append('\t').append(ts).append('\t').append(ts)
                .append('\n');
        }
        copy.copyIn("COPY households (id, district, created_at, updated_at) FROM STDIN", new StringReader(rows.toString()));
        LOG.info("demo load: {} copied at {} ms", "households", (System.nanoTime() - startNs) / 1_000_000);

        rows.setLength(0);
        for (long card = DemoDataset.FIRST_CARD_ID; card <= lastCard; card++)
        {
            final long household = DemoDataset.householdOf(card);
            rows.append(card).append('\t').append(household).append('\t').append(DemoPeople.familyName(household)).append('\t')
                .append(DemoPeople.givenName(card)).append('\t').append(DemoPeople.birthDate(card)).append('\t')
                .append(DemoPeople.taxNumber(card)).append(DemoPeople.displaced(household) ? "\t{IDP}\t" : "\t{RESIDENT}\t")
                .append(DemoPeople.displaced(household) ? DemoPeople.idpCertificate(household) : "\\N").append('\t')
                .append(ts).append('\t').append(ts).append('\n');
        }
        copy.copyIn("COPY cardholders (id, household_id, family_name, given_name, birth_date, tax_number, categories, " +
                "idp_certificate, created_at, updated_at) FROM STDIN",
            new StringReader(rows.toString()));
        LOG.info("demo load: {} copied at {} ms", "cardholders", (System.nanoTime() - startNs) / 1_000_000);

        rows.setLength(0);
        for (long card = DemoDataset.FIRST_CARD_ID; card <= lastCard; card++)
        {
            rows.append(card).append('\t').append(card).append(DemoPeople.displaced(DemoDataset.householdOf(card)) ? "\tGUEST\t" :
                    "\tRESIDENT\t").append(CardStatus.name(DemoDataset.statusOf(card)))
                .append('\t').append(LocalDate.ofEpochDay(DemoDataset.expiryDayOf(card))).append('\t').append(ts).append('\t')
                .append(ts).append('\n');
        }
        copy.copyIn("COPY cards (id, holder_id, kind, status, expiry, created_at, updated_at) FROM STDIN",
            new StringReader(rows.toString()));
        LOG.info("demo load: {} copied at {} ms", "cards", (System.nanoTime() - startNs) / 1_000_000);

        rows.setLength(0);
        for (long card = DemoDataset.FIRST_CARD_ID; card <= lastCard; card++)
        {
            final int mask = DemoDataset.enrolMaskOf(card);
            for (int i = 0; i < PROGRAMS.length; i++)
            {
                if ((mask & (1 << i)) != 0)
                {
                    rows.append(card).append('\t').append(PROGRAMS[i]).append("\tACTIVE\t").append(ts).append('\n');
                }
            }
        }
        copy.copyIn("COPY entitlements (holder_id, program_id, status, granted_at) FROM STDIN", new StringReader(rows.toString()));
        LOG.info("demo load: {} copied at {} ms", "entitlements", (System.nanoTime() - startNs) / 1_000_000);

        rows.setLength(0);
        final HexFormat hex = HexFormat.of();
        for (long terminal = 1; terminal <= terminals; terminal++)
        {
            rows.append(terminal).append('\t').append(DemoDataset.outletOf(terminal)).append("\tt\t\\\\x")
                .append(hex.formatHex(sha256(DemoDataset.terminalKey(terminal)))).append("\t1\tdemo terminal\t").append(ts)
                .append('\t').append(ts).append('\n');
        }
        copy.copyIn("COPY terminals (id, outlet_id, enabled, key_sha256, key_version, description, created_at, updated_at) FROM STDIN",
            new StringReader(rows.toString()));
        LOG.info("demo load: {} copied at {} ms", "terminals", (System.nanoTime() - startNs) / 1_000_000);
    }

    private static int insertCommands(final Connection conn, final CommandOutbox outbox, final Timestamp now, final int cards,
        final int terminals) throws SQLException
    {
        int commands = 0;
        try (PreparedStatement insert = conn.prepareStatement(
            "INSERT INTO outbox (type, body, sealed, created_at) VALUES (?, ?, ?, ?)"))
        {
            for (int outlet = 1; outlet <= DemoDataset.OUTLETS; outlet++)
            {
                commands += add(insert, outbox, now, SwitchCommand.defineOutlet(outlet,
                    outlet <= 5 ? DemoDataset.PROGRAM_FOOD_KIT : DemoDataset.PROGRAM_SCHOOL_LUNCH));
            }
            final int[] aid = {1, 2, 3, 4, 5};
            final int[] canteens = {6, 7, 8, 9, 10};
            final int allDay = Commands.MINUTES_PER_DAY;
            commands += add(insert, outbox, now, SwitchCommand.defineProgram(1, ProgramKind.AID, ProgramUnit.HOUSEHOLD, PeriodRule.MONTH,
                1, 0, null, null, 0, allDay, aid));
            commands += add(insert, outbox, now, SwitchCommand.defineProgram(2, ProgramKind.AID, ProgramUnit.PERSON, PeriodRule.MONTH,
                2, 0, null, null, 0, allDay, aid));
            commands += add(insert, outbox, now, SwitchCommand.defineProgram(3, ProgramKind.MEAL, ProgramUnit.PERSON, PeriodRule.DAY,
                1, 0, null, null, 0, allDay, canteens));
            commands += add(insert, outbox, now, SwitchCommand.defineProgram(4, ProgramKind.MEAL, ProgramUnit.PERSON, PeriodRule.DAY,
                1, 0, null, null, 7 * 60 + 30, 9 * 60 + 30, canteens));
            commands += add(insert, outbox, now, SwitchCommand.defineProgram(5, ProgramKind.AID, ProgramUnit.HOUSEHOLD, PeriodRule.ONCE,
                1, 0, LocalDate.of(2020, 1, 1), LocalDate.of(2020, 3, 31), 0, allDay, aid));
            for (long terminal = 1; terminal <= terminals; terminal++)
            {
                commands += add(insert, outbox, now, SwitchCommand.registerTerminal(terminal, DemoDataset.outletOf(terminal), true,
                    DemoDataset.terminalKey(terminal)));
                if (terminal % 1000 == 0)
                {
                    insert.executeBatch();
                }
            }
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[Commands.MAX_COMMAND_BYTES]);
            final IssueCardsEncoder batch = new IssueCardsEncoder();
            long card = DemoDataset.FIRST_CARD_ID;
            final long lastCard = DemoDataset.FIRST_CARD_ID + cards - 1;
            while (card <= lastCard)
            {
                batch.wrap(buffer, 0, 0, PROGRAMS);
                while (card <= lastCard && batch.add(card, card, DemoDataset.householdOf(card), DemoDataset.expiryDayOf(card),
                    DemoPeople.displaced(DemoDataset.householdOf(card)) ? CardKind.GUEST : CardKind.RESIDENT,
                    DemoDataset.statusOf(card), DemoDataset.enrolMaskOf(card)))
                {
                    card++;
                }
                commands += add(insert, outbox, now, SwitchCommand.ofEncoded(buffer, batch.length()));
                if (commands % 100 == 0)
                {
                    insert.executeBatch();
                }
            }
            insert.executeBatch();
        }
        return commands;
    }

    private static int add(final PreparedStatement insert, final CommandOutbox outbox, final Timestamp now,
        final SwitchCommand command) throws SQLException
    {
        insert.setShort(1, (short)command.type());
        insert.setBytes(2, outbox.storedBody(command));
        insert.setBoolean(3, command.secret());
        insert.setTimestamp(4, now);
        insert.addBatch();
        return 1;
    }

    private static byte[] sha256(final byte[] key)
    {
        try
        {
            return java.security.MessageDigest.getInstance("SHA-256").digest(key);
        }
        catch (final java.security.NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 missing from the JDK", ex);
        }
    }
}
