package io.tapswitch.admin;

import java.nio.file.Files;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

import io.tapswitch.admin.db.EmbeddedDatabase;

/**
 * One embedded PostgreSQL per test JVM (started on first use, stopped by its shutdown hook); each test class
 * gets a fresh database of its own.
 */
public final class TestPostgres
{
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedDatabase server;

    private TestPostgres()
    {
    }

    public static synchronized EmbeddedDatabase server()
    {
        if (server == null)
        {
            try
            {
                server = EmbeddedDatabase.start(Files.createTempDirectory("tapswitch-test-pg").resolve("pg"), 0);
            }
            catch (final java.io.IOException ex)
            {
                throw new IllegalStateException(ex);
            }
        }
        return server;
    }

    /**
     * @return the URL of a new, empty database.
     */
    public static String newDatabase()
    {
        final String name = "test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
        try (Connection conn = DriverManager.getConnection(jdbc(EmbeddedDatabase.DATABASE), EmbeddedDatabase.USER, null);
            Statement statement = conn.createStatement())
        {
            statement.execute("CREATE DATABASE " + name);
        }
        catch (final SQLException ex)
        {
            throw new IllegalStateException("cannot create test database " + name, ex);
        }
        return server().url(name);
    }

    public static String jdbc(final String database)
    {
        return "jdbc:postgresql://127.0.0.1:" + server().port() + "/" + database;
    }

    /**
     * @param url a URL from {@link #newDatabase()}.
     * @param sql a query returning one number.
     * @return the number.
     */
    public static long queryLong(final String url, final String sql)
    {
        try (Connection conn = DriverManager.getConnection("jdbc:" + url.replace("postgres@", ""), EmbeddedDatabase.USER, null);
            Statement statement = conn.createStatement(); ResultSet rs = statement.executeQuery(sql))
        {
            rs.next();
            return rs.getLong(1);
        }
        catch (final SQLException ex)
        {
            throw new IllegalStateException(sql, ex);
        }
    }

    /**
     * Executes a statement; returns the SQL state of its failure, or null when it succeeded.
     */
    public static String execute(final String url, final String sql)
    {
        try (Connection conn = DriverManager.getConnection("jdbc:" + url.replace("postgres@", ""), EmbeddedDatabase.USER, null);
            Statement statement = conn.createStatement())
        {
            statement.execute(sql);
            return null;
        }
        catch (final SQLException ex)
        {
            return ex.getSQLState();
        }
    }

}
