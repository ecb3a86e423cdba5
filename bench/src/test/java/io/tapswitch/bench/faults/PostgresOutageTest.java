package io.tapswitch.bench.faults;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PostgreSQL stopped under load (fast shutdown: Debian's {@code pg_ctl stop -m fast}; for the embedded one, which runs
 * as root here, the SIGINT to its postmaster that {@code pg_ctl} would send), with a real switch and the admin
 * in-process: the embedded PostgreSQL and Debian's one reached by URL (installed by {@code .ci/run}). While it is down: the switch keeps
 * deciding taps (every tap answered); every REST write answers 201 or 503 problem+json with {@code Retry-After} within
 * the client's 10 s (never 500, never a hang); {@code /ready} answers 503 naming PostgreSQL. When it returns: ready
 * again by itself; the outbox drains and every command is journaled by the switch exactly once; every journaled tap is
 * in the database exactly once; the ingester's lag is back under 1 s while taps go on; every card acknowledged with
 * 201 is in the database.
 * <p>
 * The outage lasts {@code -Dfaults.pg-outage-seconds} (default 15 in CI); the 2-minute run of the issue:
 * {@code mvn -B -pl bench -am test -Dtest=PostgresOutageTest -Dfaults.pg-outage-seconds=120 -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class PostgresOutageTest extends PostgresFaultLoad
{
    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void embeddedPostgresStoppedUnderLoad() throws Exception
    {
        try (PgServer pg = new PgServer.Embedded(pgDir.resolve("pg")))
        {
            outage(pg, stop(pg));
        }
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void externalPostgresByUrlStoppedUnderLoad() throws Exception
    {
        try (PgServer pg = new PgServer.External(pgDir.resolve("pg")))
        {
            outage(pg, stop(pg));
        }
    }

}
