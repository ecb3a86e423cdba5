package io.tapswitch.bench.fleet;

/**
 * What a {@link Fleet} run does: where to connect, how many terminals, at what offered rate, for how long.
 * A mutable, fluent holder; validated by {@link #validate()} before a run. Not thread-safe: build it on one
 * thread, then hand it to a {@link Fleet}.
 */
public final class FleetOptions
{
    /** {@link #ratePerSecond(double)} value meaning "as fast as the switch answers". */
    public static final double RATE_MAX = 0;

    private String host = "127.0.0.1";
    private int port = 7700;
    private int terminals = 200;
    private long firstTerminal = 1;
    private double ratePerSecond = 1_000;
    private long durationMs = 30_000;
    private int cards = 100_000;
    private int inFlight = 1;
    private int ioThreads = 1;
    private long programId;
    private long connectTimeoutMs = 30_000;
    private long drainTimeoutMs = 5_000;
    private int maxBacklogPerTerminal = 4_096;
    /** Several switch endpoints (the members of a replicated switch), or empty for host:port only. */
    private java.util.List<java.net.InetSocketAddress> hosts = java.util.List.of();
    private long clockOffsetMs;

    public FleetOptions host(final String host)
    {
        this.host = host;
        return this;
    }

    public FleetOptions port(final int port)
    {
        this.port = port;
        return this;
    }

    /**
     * @param hosts {@code H:P,H:P,...}: terminal i connects to endpoint i mod n first, and a terminal whose
     *              connection drops moves on to the next endpoint (a replicated switch's members); empty or null for
     *              host:port only.
     * @return this.
     * @throws IllegalArgumentException when an endpoint is not {@code host:port}.
     */
    public FleetOptions hosts(final String hosts)
    {
        final java.util.List<java.net.InetSocketAddress> endpoints = new java.util.ArrayList<>();
        if (null != hosts && !hosts.isBlank())
        {
            for (final String endpoint : hosts.split(","))
            {
                final String trimmed = endpoint.trim();
                final int colon = trimmed.lastIndexOf(':');
                final int endpointPort;
                try
                {
                    endpointPort = colon > 0 ? Integer.parseInt(trimmed.substring(colon + 1)) : -1;
                }
                catch (final NumberFormatException ex)
                {
                    throw new IllegalArgumentException("invalid hosts = " + hosts + ": '" + trimmed + "' is not host:port");
                }
                if (colon <= 0 || endpointPort < 1 || endpointPort > 65535)
                {
                    throw new IllegalArgumentException("invalid hosts = " + hosts + ": '" + trimmed + "' is not host:port");
                }
                endpoints.add(java.net.InetSocketAddress.createUnresolved(trimmed.substring(0, colon), endpointPort));
            }
        }
        this.hosts = java.util.List.copyOf(endpoints);
        return this;
    }

    /**
     * @return the endpoints terminals connect to: the {@link #hosts} given, else host:port.
     */
    public java.util.List<java.net.InetSocketAddress> endpoints()
    {
        return hosts.isEmpty() ? java.util.List.of(java.net.InetSocketAddress.createUnresolved(host, port)) : hosts;
    }

    /**
     * @param terminals demo terminals to run, each its own connection.
     * @return this.
     */
    public FleetOptions terminals(final int terminals)
    {
        this.terminals = terminals;
        return this;
    }

    /**
     * @param firstTerminal id of the first terminal; the fleet uses {@code firstTerminal .. firstTerminal+T-1}.
     * @return this.
     */
    public FleetOptions firstTerminal(final long firstTerminal)
    {
        this.firstTerminal = firstTerminal;
        return this;
    }

    /**
     * @param ratePerSecond total offered TAP rate over the whole fleet, or {@link #RATE_MAX}.
     * @return this.
     */
    public FleetOptions ratePerSecond(final double ratePerSecond)
    {
        this.ratePerSecond = ratePerSecond;
        return this;
    }

    public FleetOptions durationMs(final long durationMs)
    {
        this.durationMs = durationMs;
        return this;
    }

    /**
     * @param cards demo cards to pick from at random (ids 1000001 … 1000000+cards).
     * @return this.
     */
    public FleetOptions cards(final int cards)
    {
        this.cards = cards;
        return this;
    }

    /**
     * @param inFlight with {@link #RATE_MAX}: requests each terminal keeps unanswered (1 … 32).
     * @return this.
     */
    public FleetOptions inFlight(final int inFlight)
    {
        this.inFlight = inFlight;
        return this;
    }

    /**
     * @param ioThreads Netty event loops of the fleet (keep 1–2 so it shares the machine fairly).
     * @return this.
     */
    public FleetOptions ioThreads(final int ioThreads)
    {
        this.ioThreads = ioThreads;
        return this;
    }

    /**
     * @param programId program of every TAP; 0 is the default program of the terminal's outlet.
     * @return this.
     */
    public FleetOptions programId(final long programId)
    {
        this.programId = programId;
        return this;
    }

    public FleetOptions connectTimeoutMs(final long connectTimeoutMs)
    {
        this.connectTimeoutMs = connectTimeoutMs;
        return this;
    }

    public FleetOptions drainTimeoutMs(final long drainTimeoutMs)
    {
        this.drainTimeoutMs = drainTimeoutMs;
        return this;
    }

    /**
     * @param clockOffsetMs added to this machine's clock for the times the terminals stamp (LOGON, TAP, HEARTBEAT):
     *                      to drive a switch whose clock is set elsewhere (a test of the city calendar).
     * @return this.
     */
    public FleetOptions clockOffsetMs(final long clockOffsetMs)
    {
        this.clockOffsetMs = clockOffsetMs;
        return this;
    }

    public long clockOffsetMs()
    {
        return clockOffsetMs;
    }

    public String host()
    {
        return host;
    }

    public int port()
    {
        return port;
    }

    public int terminals()
    {
        return terminals;
    }

    public long firstTerminal()
    {
        return firstTerminal;
    }

    public double ratePerSecond()
    {
        return ratePerSecond;
    }

    public boolean isMaxRate()
    {
        return ratePerSecond <= RATE_MAX;
    }

    public long durationMs()
    {
        return durationMs;
    }

    public int cards()
    {
        return cards;
    }

    public int inFlight()
    {
        return inFlight;
    }

    public int ioThreads()
    {
        return ioThreads;
    }

    public long programId()
    {
        return programId;
    }

    public long connectTimeoutMs()
    {
        return connectTimeoutMs;
    }

    public long drainTimeoutMs()
    {
        return drainTimeoutMs;
    }

    public int maxBacklogPerTerminal()
    {
        return maxBacklogPerTerminal;
    }

    /**
     * @throws IllegalArgumentException naming the option and its value.
     */
    public FleetOptions validate()
    {
        check(terminals >= 1 && terminals <= 100_000, "terminals", terminals, "1 .. 100000");
        check(firstTerminal >= 1, "first-terminal", firstTerminal, ">= 1");
        check(ratePerSecond >= 0, "rate", ratePerSecond, ">= 0 or max");
        check(durationMs >= 1, "duration", durationMs, ">= 1 ms");
        check(cards >= 1, "cards", cards, ">= 1");
        check(inFlight >= 1 && inFlight <= 32, "in-flight", inFlight, "1 .. 32");
        check(ioThreads >= 1 && ioThreads <= 16, "io-threads", ioThreads, "1 .. 16");
        check(port >= 1 && port <= 65535, "port", port, "1 .. 65535");
        return this;
    }

    private static void check(final boolean ok, final String name, final Object value, final String range)
    {
        if (!ok)
        {
            throw new IllegalArgumentException("invalid " + name + " = " + value + ": must be " + range);
        }
    }
}
