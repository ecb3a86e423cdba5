package io.tapswitch.bench.faults;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.tapswitch.admin.db.EmbeddedDatabase;

/**
 * A real PostgreSQL server the test can stop (fast shutdown) and start under a running admin: the embedded one
 * (zonky's binaries; stopped by SIGINT to its postmaster as {@code pg_ctl stop -m fast} does, started again by zonky's
 * {@code pg_ctl start}) or Debian's {@code postgresql} package ({@code /usr/lib/postgresql/<major>/bin}, run as the {@code postgres} user when the test runs as root).
 */
abstract class PgServer implements AutoCloseable
{
    final Path dataDir;
    int port;

    PgServer(final Path dataDir)
    {
        this.dataDir = dataDir;
    }

    /** @return {@code postgresql://postgres@127.0.0.1:port/postgres}. */
    String url()
    {
        return "postgresql://postgres@127.0.0.1:" + port + "/postgres";
    }

    /** Stops the server with {@code pg_ctl stop -m fast} (connections are terminated, the cluster is shut down cleanly). */
    abstract void stop() throws Exception;

    /** Starts the server again on the same data directory and port. */
    abstract void start() throws Exception;

    abstract String describe();

    static int run(final List<String> command, final long timeoutSeconds) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new IllegalStateException("timed out: " + command);
        }
        if (process.exitValue() != 0)
        {
            throw new IllegalStateException(command + " exited " + process.exitValue() + ": " +
                new String(output, StandardCharsets.UTF_8));
        }
        return process.exitValue();
    }

    /** The embedded PostgreSQL the admin uses by default. */
    static final class Embedded extends PgServer
    {
        private EmbeddedDatabase database;

        Embedded(final Path dataDir)
        {
            super(dataDir);
            database = EmbeddedDatabase.start(dataDir, 0);
            port = database.port();
        }

        /**
         * What {@code pg_ctl stop -m fast} does (it refuses to run as root, which the embedded binaries allow): SIGINT to
         * the postmaster named in {@code postmaster.pid}, then wait for it to exit.
         */
        @Override
        void stop() throws Exception
        {
            final long postmaster = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
            final ProcessHandle process = ProcessHandle.of(postmaster).orElseThrow();
            run(List.of("kill", "-INT", Long.toString(postmaster)), 10);
            process.onExit().get(60, TimeUnit.SECONDS);
            // releases zonky's lock on the data directory (the server is already down)
            try
            {
                database.close();
            }
            catch (final RuntimeException ex)
            {
                // nothing left to stop
            }
        }

        @Override
        void start()
        {
            database = EmbeddedDatabase.start(dataDir, port);
        }

        @Override
        String describe()
        {
            return "embedded PostgreSQL";
        }

        @Override
        public void close()
        {
            database.close();
        }
    }

    /** Debian's PostgreSQL, a separate installation reached by URL. */
    static final class External extends PgServer
    {
        private final Path bin;
        private final boolean asPostgresUser;

        External(final Path dataDir) throws Exception
        {
            super(dataDir);
            bin = debianBin();
            asPostgresUser = "root".equals(System.getProperty("user.name"));
            try (ServerSocket socket = new ServerSocket(0))
            {
                port = socket.getLocalPort();
            }
            Files.createDirectories(dataDir);
            if (asPostgresUser)
            {
                run(List.of("chown", "-R", "postgres:postgres", dataDir.toString()), 30);
                // the postgres user must reach the directory
                for (Path p = dataDir.getParent(); p != null; p = p.getParent())
                {
                    p.toFile().setExecutable(true, false);
                }
            }
            run(as(List.of(bin.resolve("initdb").toString(), "-D", dataDir.toString(), "-U", "postgres", "--auth=trust",
                "--no-sync", "-E", "UTF8")), 120);
            start();
        }

        static Path debianBin()
        {
            final Path root = Path.of("/usr/lib/postgresql");
            try (var majors = Files.list(root))
            {
                return majors.map(p -> p.resolve("bin")).filter(p -> Files.isExecutable(p.resolve("pg_ctl")))
                    .max(Path::compareTo).orElseThrow();
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException("Debian's postgresql package is not installed (/usr/lib/postgresql/*/bin/pg_ctl); " +
                    ".ci/run installs it: apt-get install postgresql", ex);
            }
        }

        private List<String> as(final List<String> command)
        {
            if (!asPostgresUser)
            {
                return command;
            }
            final List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
            wrapped.addAll(command);
            return wrapped;
        }

        @Override
        void stop() throws Exception
        {
            run(as(List.of(bin.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "stop", "-m", "fast", "-w", "-t", "60")), 90);
        }

        @Override
        void start() throws Exception
        {
            run(as(List.of(bin.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-l", dataDir.resolve("server.log").toString(),
                "-w", "-t", "60", "start", "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -k " + dataDir +
                    " -c fsync=on -c max_connections=100")), 90);
        }

        @Override
        String describe()
        {
            return "Debian PostgreSQL (" + bin + ")";
        }

        @Override
        public void close() throws Exception
        {
            try
            {
                stop();
            }
            catch (final IllegalStateException ex)
            {
                // already stopped
            }
        }
    }
}
