package io.tapswitch.switching.net;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.micrometer.core.instrument.FunctionCounter;
import io.tapswitch.protocol.client.AsyncTerminalClient;
import io.tapswitch.protocol.client.TerminalClient;
import io.tapswitch.switching.config.SwitchConfig;

/**
 * A real switch on 127.0.0.1 with a small demo dataset in a temp data directory, for the integration tests.
 */
final class TestSwitch implements AutoCloseable
{
    static final int DEMO_CARDS = 1_000;
    static final int DEMO_TERMINALS = 40;

    private final Path dataDir;
    private final Map<String, String> settings;
    private SwitchLauncher launcher;

    TestSwitch(final Path dataDir, final Map<String, String> overrides)
    {
        this.dataDir = dataDir;
        this.settings = new HashMap<>();
        settings.put("host", "127.0.0.1");
        settings.put("port", "0");
        settings.put("metrics-port", "0");
        settings.put("data-dir", dataDir.toString());
        settings.put("demo", "true");
        settings.put("demo-cards", String.valueOf(DEMO_CARDS));
        settings.put("demo-terminals", String.valueOf(DEMO_TERMINALS));
        settings.put("snapshot-interval-ms", "0");
        settings.putAll(overrides);
    }

    static TestSwitch start(final Path dataDir) throws Exception
    {
        return start(dataDir, Map.of());
    }

    static TestSwitch start(final Path dataDir, final Map<String, String> overrides) throws Exception
    {
        final TestSwitch testSwitch = new TestSwitch(dataDir, overrides);
        testSwitch.launcher = SwitchLauncher.start(SwitchConfig.of(testSwitch.settings));
        return testSwitch;
    }

    /**
     * Stops the switch cleanly and starts it again on the same data directory and port.
     */
    void restart() throws Exception
    {
        final int port = launcher.port();
        launcher.close();
        settings.put("port", String.valueOf(port));
        launcher = SwitchLauncher.start(SwitchConfig.of(settings));
    }

    SwitchLauncher launcher()
    {
        return launcher;
    }

    /**
     * @return the current value of one of the switch's function counters (by Micrometer name), 0 if not registered.
     */
    double counter(final String name)
    {
        final FunctionCounter counter = launcher.metrics().registry().find(name).functionCounter();
        return null == counter ? 0 : counter.count();
    }

    int port()
    {
        return launcher.port();
    }

    TerminalClient terminal(final long terminalId)
    {
        return TerminalClient.connect("127.0.0.1", port(), terminalId, TerminalClient.demoKey(terminalId));
    }

    TerminalClient openUnlogged(final long terminalId)
    {
        return TerminalClient.open("127.0.0.1", port(), terminalId, TerminalClient.demoKey(terminalId));
    }

    AsyncTerminalClient.Options options(final long terminalId)
    {
        return new AsyncTerminalClient.Options()
            .host("127.0.0.1")
            .port(port())
            .terminal(terminalId, TerminalClient.demoKey(terminalId));
    }

    public void close()
    {
        if (null != launcher)
        {
            launcher.close();
        }
    }
}
