package io.tapswitch.admin.db;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded PostgreSQL the admin starts commits durably: a REST write answered 2xx survives a crash of PostgreSQL
 * or of the machine. zonky's builder starts it with {@code -F} (fsync off) and {@code synchronous_commit=off}; the
 * admin overrides both, and this asks the running server.
 */
class EmbeddedDatabaseDurabilityTest
{
    @TempDir
    Path dir;

    @Test
    void shouldCommitDurably() throws Exception
    {
        try (EmbeddedDatabase db = EmbeddedDatabase.start(dir.resolve("pg"), 0);
            Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + db.port() + "/" + EmbeddedDatabase.DATABASE,
                EmbeddedDatabase.USER, "");
            Statement statement = connection.createStatement())
        {
            assertThat(setting(statement, "fsync")).isEqualTo("on");
            assertThat(setting(statement, "synchronous_commit")).isEqualTo("on");
            assertThat(setting(statement, "full_page_writes")).isEqualTo("on");
            assertThat(setting(statement, "wal_sync_method")).isNotEqualTo("off");
            // the ingest's settings (issue 14): fewer checkpoints, its working set and a batch's WAL in memory
            assertThat(setting(statement, "max_wal_size")).isEqualTo("4GB");
            assertThat(setting(statement, "shared_buffers")).isEqualTo("1GB");
            assertThat(setting(statement, "wal_buffers")).isEqualTo("64MB");
        }
    }

    private static String setting(final Statement statement, final String name) throws Exception
    {
        try (ResultSet rs = statement.executeQuery("SHOW " + name))
        {
            rs.next();
            return rs.getString(1);
        }
    }
}
