package io.tapswitch.bench.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.tapswitch.bench.soak.Soak;
import io.tapswitch.bench.soak.SoakReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The short soak of CI: {@code ./tapswitch bench soak} for {@value #SECONDS} s, as the command runs it — the switch
 * and the admin service as child JVMs started with their defaults (the admin on its embedded PostgreSQL, loading demo
 * data that reaches the switch through the outbox), 2 000 terminals at a fixed rate, the caseworkers' REST rounds
 * (a No. 8 case issuing a card, an entitlement, a block, a replacement, the reports). What a user relies on: every tap
 * answered (none outstanding for 5 s at any sample, none at the end), every admin call answered as expected, every
 * card change seen at the switch, no file descriptors or threads piling up after the warm-up (bounds below), and both
 * services stop cleanly on SIGTERM. Speed is not asserted. The table, CSV and plot stay in {@code target/soak-short}.
 */
class SoakShortTest
{
    private static final long SECONDS = Long.getLong("soak.seconds", 30);
    /** After the warm-up a JVM may open at most this many more descriptors (sockets of a pool, a new journal file). */
    static final long FD_GROWTH_BOUND = 24;
    /** After the warm-up a JVM may start at most this many more threads (pools grown lazily to their size). */
    static final long THREAD_GROWTH_BOUND = 12;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void shouldAnswerEveryTapAndAdminCallWithoutLeaks() throws Exception
    {
        final Path out = Path.of("target", "soak-short");
        final Soak.Result result = new Soak(new Soak.Options().durationMs(TimeUnit.SECONDS.toMillis(SECONDS)).sampleMs(5_000)
            .terminals(2_000).rate(400).cards(3_000).ports(0, 0, 0, 0).adminPauseMs(200).outDir(out)).run(System.out);
        final String markdown = SoakReport.write(result, out);
        System.out.println("SoakShortTest: " + markdown);

        assertThat(result.fleet()).as("the fleet ran").isNotNull();
        assertThat(result.fleet().loggedOn()).as("terminals logged on").isEqualTo(2_000);
        assertThat(result.fleet().sent()).as("taps sent").isPositive();
        assertThat(result.fleet().unanswered()).as("taps unanswered at the end").isZero();
        assertThat(result.fleet().errors()).as("ERROR answers").isZero();
        assertThat(result.fleet().disconnected()).as("terminals disconnected").isZero();
        assertThat(result.rows()).as("rows").hasSizeGreaterThanOrEqualTo((int)(SECONDS / 5) - 1);
        assertThat(result.rows()).as("no tap outstanding for 5 s at any sample").allMatch(r -> r.overdue() == 0);

        assertThat(result.adminProblems()).as("admin problems").isEmpty();
        assertThat(result.adminUnanswered()).as("admin calls unanswered").isZero();
        assertThat(result.adminRefused()).as("admin calls answered otherwise than expected").isZero();
        assertThat(result.adminCalls()).isEqualTo(result.adminAnswered());
        assertThat(result.adminCycles()).as("caseworker rounds completed").isGreaterThanOrEqualTo(2);
        assertThat(result.changesNotAtSwitch()).as("card changes that did not reach the switch").isZero();
        assertThat(result.changesAtSwitch()).as("card changes seen at the switch").isGreaterThanOrEqualTo(3 * result.adminCycles());

        final List<Soak.Row> rows = result.rows();
        final Soak.Row warm = rows.get(rows.size() / 3);
        final Soak.Row last = rows.get(rows.size() - 1);
        for (final String name : List.of("switch", "admin"))
        {
            assertThat(last.process(name).processes()).as(name + " alive at the last sample").isEqualTo(1);
            assertThat(last.process(name).fds() - warm.process(name).fds()).as(name + " file descriptors grown after the warm-up " +
                "(t=" + warm.elapsedS() + " s -> " + last.elapsedS() + " s)").isLessThanOrEqualTo(FD_GROWTH_BOUND);
            assertThat(last.process(name).threads() - warm.process(name).threads()).as(name + " threads grown after the warm-up")
                .isLessThanOrEqualTo(THREAD_GROWTH_BOUND);
        }
        assertThat(last.process("postgres").processes()).as("the embedded PostgreSQL runs").isPositive();
        assertThat(result.switchExit()).as("switch exit code after SIGTERM (a clean stop)").isEqualTo(143);
        assertThat(result.adminExit()).as("admin exit code after SIGTERM (a clean stop)").isEqualTo(143);

        assertThat(Files.readAllLines(out.resolve("soak.csv"))).hasSize(rows.size() + 1);
        final byte[] png = Files.readAllBytes(out.resolve("soak.png"));
        assertThat(png).as("a PNG").startsWith(0x89, 'P', 'N', 'G');
    }
}
