package io.tapswitch.bench.endtoend;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.tapswitch.protocol.client.TerminalClient;
import io.tapswitch.switching.config.SwitchConfig;
import io.tapswitch.switching.net.SwitchLauncher;

/**
 * A real switch (engine, journal, Netty server) on 127.0.0.1 on a temp data directory, as a terminal sees it.
 */
public final class RealSwitch implements AutoCloseable
{
    private final SwitchLauncher launcher;

    private RealSwitch(final SwitchLauncher launcher)
    {
        this.launcher = launcher;
    }

    /**
     * @param dataDir   the switch data directory (the admin's switch data directory too).
     * @param demoCards demo cards to provision, 0 for none (then the admin provisions everything).
     * @return the running switch.
     */
    public static RealSwitch start(final Path dataDir, final int demoCards) throws Exception
    {
        final Map<String, String> settings = new HashMap<>();
        settings.put("host", "127.0.0.1");
        settings.put("port", "0");
        settings.put("metrics-port", "0");
        settings.put("data-dir", dataDir.toString());
        settings.put("snapshot-interval-ms", "0");
        if (demoCards > 0)
        {
            settings.put("demo", "true");
            settings.put("demo-cards", String.valueOf(demoCards));
            settings.put("demo-terminals", "10");
        }
        return new RealSwitch(SwitchLauncher.start(SwitchConfig.of(settings)));
    }

    public int port()
    {
        return launcher.port();
    }

    public TerminalClient terminal(final long terminalId, final byte[] key)
    {
        return TerminalClient.connect("127.0.0.1", port(), terminalId, key);
    }

    @Override
    public void close()
    {
        launcher.close();
    }
}
