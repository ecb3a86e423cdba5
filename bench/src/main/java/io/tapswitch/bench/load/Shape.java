package io.tapswitch.bench.load;

import io.tapswitch.bench.fleet.FleetOptions;

/**
 * The load shapes of the comparison (issue 8), each run against the bare server and against the switch with the
 * same fleet generator.
 */
public enum Shape
{
    /** 1 connection, 1 request in flight: the round trip. */
    ROUND_TRIP("round-trip", "1 conn x 1 in flight", 1, 1, FleetOptions.RATE_MAX),
    /** 64 connections, 16 requests in flight each: pipelined throughput. */
    PIPELINED("pipelined", "64 conn x 16 in flight", 64, 16, FleetOptions.RATE_MAX),
    /** 2 000 connections, 1 request in flight each: many terminals. */
    MANY_TERMINALS("many-terminals", "2000 conn x 1 in flight", 2_000, 1, FleetOptions.RATE_MAX),
    /** 2 000 terminals at a fixed offered rate of 10 000 taps/s, latency from each scheduled send time. */
    FIXED_RATE("fixed-rate", "2000 terminals at 10 000 taps/s", 2_000, 1, 10_000),
    /**
     * 10 000 terminals, each its own connection, at a fixed offered rate of 5 000 taps/s (a city's fleet at a busy
     * hour: one tap every 2 s per terminal); latency from each scheduled send time. Issue 14's p99.9 target.
     */
    FLEET_10K("fleet-10k", "10000 terminals at 5 000 taps/s", 10_000, 1, 5_000);

    private final String scenarioName;
    private final String description;
    private final int connections;
    private final int inFlight;
    private final double ratePerSecond;

    Shape(
        final String scenarioName, final String description, final int connections, final int inFlight,
        final double ratePerSecond)
    {
        this.scenarioName = scenarioName;
        this.description = description;
        this.connections = connections;
        this.inFlight = inFlight;
        this.ratePerSecond = ratePerSecond;
    }

    public String scenarioName()
    {
        return scenarioName;
    }

    public String description()
    {
        return description;
    }

    public int connections()
    {
        return connections;
    }

    public int inFlight()
    {
        return inFlight;
    }

    public double ratePerSecond()
    {
        return ratePerSecond;
    }

    /**
     * @return the most connections any of the shapes opens (the demo terminals a switch under them needs).
     */
    public static int maxConnections(final Iterable<Shape> shapes)
    {
        int max = 0;
        for (final Shape shape : shapes)
        {
            max = Math.max(max, shape.connections);
        }
        return max;
    }

    public boolean isFixedRate()
    {
        return ratePerSecond > FleetOptions.RATE_MAX;
    }

    /**
     * @return the shape with that scenario name.
     * @throws IllegalArgumentException listing the names when none matches.
     */
    public static Shape byName(final String name)
    {
        for (final Shape shape : values())
        {
            if (shape.scenarioName.equals(name))
            {
                return shape;
            }
        }
        final StringBuilder names = new StringBuilder();
        for (final Shape shape : values())
        {
            names.append(names.length() == 0 ? "" : ", ").append(shape.scenarioName);
        }
        throw new IllegalArgumentException("unknown scenario '" + name + "': one of " + names);
    }
}
