package io.tapswitch.bench.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import io.tapswitch.bench.fleet.Fleet;
import io.tapswitch.bench.fleet.FleetOptions;
import io.tapswitch.bench.fleet.FleetResult;
import io.tapswitch.bench.soak.ChildService;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.client.LogonResult;
import io.tapswitch.protocol.client.TapResult;
import io.tapswitch.protocol.client.TerminalClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The city calendar (Europe/Kyiv) at its awkward instants, with the real switch running at a chosen instant under a
 * fleet's load. The switch takes "now" from the wall clock ({@code System.currentTimeMillis()} in its event loops,
 * stamped on each request before the engine sees it; the engine reads no clock), so each scenario runs the switch as
 * a child JVM under libfaketime ({@code LD_PRELOAD}, Debian package {@code faketime}): it starts at the real time,
 * then its clock is set forward (an offset in {@code FAKETIME_TIMESTAMP_FILE}, read again every second, like a step
 * of NTP) so that a city boundary comes 20 s later — from then on the whole process, journal and all, lives at that
 * date. The monotonic clock is left alone; {@code FAKETIME_FORCE_MONOTONIC_FIX=0}, without which the JVM starts about
 * seven times slower. The terminals stamp their LOGONs with the same moved clock. No mock: the demo data set, real sockets, real journal.
 * <ul>
 * <li>The DST day in March is 23 hours: the daily quota of program 3 (school lunch) resets at 2027-03-28T21:00Z
 * (00:00 EEST), not at 22:00Z (a fixed UTC+2 would).</li>
 * <li>The serving window of program 4 (breakfast 07:30–09:30 city time) opens at 2027-03-28T04:30Z on the DST day
 * (07:30 EEST), not at 05:30Z.</li>
 * <li>October 31 2027 is both the 25-hour DST day and the month's last: the monthly quota of program 2 (hygiene kit,
 * two a month) resets at 2027-10-31T22:00Z (00:00 EET of November 1), not at 21:00Z (a fixed UTC+3 would).</li>
 * <li>The leap day: taps on 2028-02-29 count in February (the third of program 2 is refused), and the quota resets at
 * 2028-02-29T22:00Z (March 1); the daily quota resets at 2028-02-28T22:00Z into the 29th.</li>
 * </ul>
 * Each scenario: before the boundary the card is used up (QUOTA_EXHAUSTED or OUTSIDE_WINDOW), after it the same tap is
 * APPROVED; meanwhile a fleet of 20 terminals taps other cards at 100 taps/s across the boundary, every tap answered.
 * The four switches run at once. Needs {@code faketime} (.ci/run installs it); fails, never skips, without it.
 */
class CityCalendarUnderLoadTest
{
    private static final Path LIBFAKETIME = Path.of("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1");
    private static final Pattern SWITCH_READY = Pattern.compile("tapswitch switch listening on [^:\\s]+:(\\d+)");
    private static final long LEAD_MS = 20_000;
    private static final int DEMO_CARDS = 600;
    private static final int FLEET_CARDS = 400;
    /** Outlet 1 (programs 1, 2, 5) and outlet 6 (programs 3, 4): terminals the fleet (1..20) does not use. */
    private static final long AID_TERMINAL = 21;
    private static final long CANTEEN_TERMINAL = 26;

    @TempDir
    Path dir;

    /** A boundary of the city calendar and what must be refused before it and approved after it. */
    private record Scenario(String name, Instant boundary, long terminal, long card, long program, int usesBefore,
        int refusedWith)
    {
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void shouldFollowTheCityCalendarAcrossDstAndTheLeapDayUnderLoad() throws Exception
    {
        assertThat(LIBFAKETIME).as("libfaketime (Debian package faketime; .ci/run installs it)").exists();
        final List<Scenario> scenarios = List.of(
            new Scenario("March DST day is 23 h: daily quota resets at 21:00Z", Instant.parse("2027-03-28T21:00:00Z"),
                CANTEEN_TERMINAL, 1_000_501, 3, 1, ReasonCode.QUOTA_EXHAUSTED),
            new Scenario("breakfast window opens 07:30 EEST = 04:30Z on the DST day", Instant.parse("2027-03-28T04:30:00Z"),
                CANTEEN_TERMINAL, 1_000_502, 4, 0, ReasonCode.OUTSIDE_WINDOW),
            new Scenario("October 31 (25 h, month's last): monthly quota resets at 22:00Z", Instant.parse("2027-10-31T22:00:00Z"),
                AID_TERMINAL, 1_000_503, 2, 2, ReasonCode.QUOTA_EXHAUSTED),
            new Scenario("leap day counts in February; March starts 2028-02-29T22:00Z", Instant.parse("2028-02-29T22:00:00Z"),
                AID_TERMINAL, 1_000_504, 2, 2, ReasonCode.QUOTA_EXHAUSTED),
            new Scenario("into the leap day: daily quota resets at 2028-02-28T22:00Z", Instant.parse("2028-02-28T22:00:00Z"),
                CANTEEN_TERMINAL, 1_000_505, 3, 1, ReasonCode.QUOTA_EXHAUSTED));
        final ExecutorService pool = Executors.newFixedThreadPool(scenarios.size());
        try
        {
            final List<Future<String>> runs = new ArrayList<>();
            for (int i = 0; i < scenarios.size(); i++)
            {
                final Scenario scenario = scenarios.get(i);
                final Path data = dir.resolve("switch-" + i);
                runs.add(pool.submit(() -> run(scenario, data)));
            }
            for (final Future<String> run : runs)
            {
                System.out.println("CityCalendarUnderLoadTest: " + run.get(3, TimeUnit.MINUTES));
            }
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    private String run(final Scenario scenario, final Path data) throws Exception
    {
        Files.createDirectories(data);
        // libfaketime reads the clock's offset from this file, again every second: the switch starts at the real time
        // (however long a loaded machine takes), then its clock is set to LEAD_MS before the boundary
        final Path clock = data.resolve("faketime");
        setClock(clock, 0);
        try (ChildService switchProcess = ChildService.start("switch", List.of(), "io.tapswitch.switching.SwitchMain",
            List.of("--data-dir", data.resolve("switch").toString(), "--port", "0", "--metrics-port", "-1", "--demo",
                "--demo-cards", String.valueOf(DEMO_CARDS), "--demo-terminals", "30"),
            Map.of("LD_PRELOAD", LIBFAKETIME.toString(), "FAKETIME_TIMESTAMP_FILE", clock.toString(),
                "FAKETIME_CACHE_DURATION", "1", "FAKETIME_DONT_FAKE_MONOTONIC", "1", "FAKETIME_FORCE_MONOTONIC_FIX", "0",
                "TZ", "UTC"),
            data, SWITCH_READY, TimeUnit.MINUTES.toMillis(2)))
        {
            final int port = Integer.parseInt(switchProcess.readyValue());
            final long offsetS = Math.round((scenario.boundary().toEpochMilli() - LEAD_MS - System.currentTimeMillis()) / 1000.0);
            final long offsetMs = offsetS * 1000;
            setClock(clock, offsetS);
            final LoggedOn loggedOn = logOnAtMovedClock(port, scenario, offsetMs);
            try (TerminalClient terminal = loggedOn.terminal())
            {
                final LogonResult logon = loggedOn.logon();
                final long stampedMs = System.currentTimeMillis() + offsetMs;
                assertThat(Math.abs(logon.serverTimeMs() - stampedMs)).as(scenario.name() + ": the switch runs at the chosen " +
                    "instant (its clock from LOGON_RESULT " + Instant.ofEpochMilli(logon.serverTimeMs()) + ")").isLessThan(3_000);

                // the fleet taps other cards across the boundary: from 8 s before it to 6 s after
                final long boundaryRealMs = scenario.boundary().toEpochMilli() - offsetMs;
                assertThat(boundaryRealMs - System.currentTimeMillis()).as(scenario.name() + ": logged on at least 9 s " +
                    "before the boundary").isGreaterThan(5_000);
                sleepUntil(boundaryRealMs - 8_000);
                final Fleet fleet = new Fleet(new FleetOptions().host("127.0.0.1").port(port).terminals(20).ratePerSecond(100)
                    .durationMs(boundaryRealMs + 6_000 - System.currentTimeMillis()).cards(FLEET_CARDS).clockOffsetMs(offsetMs));
                final ExecutorService fleetThread = Executors.newSingleThreadExecutor();
                final Future<FleetResult> load = fleetThread.submit(() -> fleet.run(null));
                fleetThread.shutdown();

                sleepUntil(boundaryRealMs - 4_000);
                int correlation = 1;
                for (int i = 0; i < scenario.usesBefore(); i++)
                {
                    final TapResult used = tap(terminal, correlation++, scenario, offsetMs);
                    assertThat(used.decision()).as(scenario.name() + ": use " + (i + 1) + " before " + used).isEqualTo(Decision.APPROVED);
                }
                final TapResult before = tap(terminal, correlation++, scenario, offsetMs);
                final long beforeSwitchMs = System.currentTimeMillis() + offsetMs;
                assertThat(beforeSwitchMs).as("tapped before the boundary").isLessThan(scenario.boundary().toEpochMilli());
                assertThat(before.decision()).as(scenario.name() + ": before the boundary " + before).isEqualTo(Decision.DECLINED);
                assertThat(before.reason()).as(scenario.name() + ": before the boundary " + before).isEqualTo(scenario.refusedWith());

                sleepUntil(boundaryRealMs + 1_500);
                final TapResult after = tap(terminal, correlation++, scenario, offsetMs);
                assertThat(after.decision()).as(scenario.name() + ": after the boundary " + after).isEqualTo(Decision.APPROVED);

                final FleetResult result = load.get(1, TimeUnit.MINUTES);
                assertThat(result.loggedOn()).as(scenario.name() + ": fleet logged on with the moved clock").isEqualTo(20);
                assertThat(result.sent()).as(scenario.name() + ": fleet taps").isPositive();
                assertThat(result.unanswered()).as(scenario.name() + ": fleet taps unanswered").isZero();
                assertThat(result.errors()).as(scenario.name() + ": fleet ERRORs").isZero();
                return String.format("%s: switch at %s; before %s -> %s; after -> APPROVED remaining %d; fleet %d taps " +
                        "across the boundary, all answered (%d approved)", scenario.name(),
                    Instant.ofEpochMilli(logon.serverTimeMs()), Instant.ofEpochMilli(beforeSwitchMs),
                    ReasonCode.name(before.reason()), after.remaining(), result.sent(), result.count(Decision.APPROVED));
            }
        }
    }

    private record LoggedOn(TerminalClient terminal, LogonResult logon)
    {
    }

    /** Logs on stamped with the moved clock, again until libfaketime has read the new offset (within 1 s). */
    private static LoggedOn logOnAtMovedClock(final int port, final Scenario scenario, final long offsetMs) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        LogonResult logon = null;
        while (System.nanoTime() - deadlineNs < 0)
        {
            final TerminalClient terminal = TerminalClient.open("127.0.0.1", port, scenario.terminal(),
                TerminalClient.demoKey(scenario.terminal()));
            final byte[] nonce = new byte[16];
            ThreadLocalRandom.current().nextBytes(nonce);
            logon = terminal.logon(System.currentTimeMillis() + offsetMs, nonce);
            if (logon.result() == ReasonCode.OK)
            {
                return new LoggedOn(terminal, logon);
            }
            terminal.close();
            assertThat(logon.result()).as(scenario.name() + ": LOGON while the clock moves " + logon).isEqualTo(ReasonCode.STALE_LOGON);
            Thread.sleep(250);
        }
        throw new AssertionError(scenario.name() + ": the switch's clock did not move within 10 s: " + logon);
    }

    private static void setClock(final Path file, final long offsetSeconds) throws java.io.IOException
    {
        final Path next = file.resolveSibling(file.getFileName() + ".next");
        Files.writeString(next, (offsetSeconds >= 0 ? "+" : "") + offsetSeconds + "\n");
        Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static TapResult tap(final TerminalClient terminal, final int correlation, final Scenario scenario,
        final long offsetMs)
    {
        return terminal.tap(correlation, scenario.card(), scenario.program(), 1, 0, System.currentTimeMillis() + offsetMs);
    }

    private static void sleepUntil(final long realMs) throws InterruptedException
    {
        final long waitMs = realMs - System.currentTimeMillis();
        if (waitMs > 0)
        {
            Thread.sleep(waitMs);
        }
    }
}
