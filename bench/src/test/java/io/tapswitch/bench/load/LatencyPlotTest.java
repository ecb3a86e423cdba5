package io.tapswitch.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import io.tapswitch.bench.fleet.Fleet;
import io.tapswitch.bench.fleet.FleetOptions;
import io.tapswitch.bench.fleet.FleetResult;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The latency pictures of {@code bench load}: a shape run against the bare and the bare durable server writes one
 * HdrHistogram log per server that reads back with every sample, and {@code bench plot DIR} draws them on one PNG
 * for the shape.
 */
@Timeout(60)
class LatencyPlotTest
{
    @Test
    void shouldWriteHistogramLogsAndDrawThemOnOneChartPerShape(@TempDir final Path dir) throws Exception
    {
        final Path hdr = Files.createDirectories(dir.resolve("hdr"));
        final FleetResult bare;
        try (BareTapServer server = new BareTapServer("127.0.0.1", 0, 1).start())
        {
            bare = run(server.port());
        }
        LatencyLogs.write(hdr, Shape.PIPELINED, LoadCommand.BARE, bare, System.currentTimeMillis() - 1_000, "0.5 0.5 0.5");
        final FleetResult durable;
        try (BareTapServer server = new BareTapServer("127.0.0.1", 0, 1,
            new DurableLog(dir.resolve("durable.log"), 1 << 20)).start())
        {
            durable = run(server.port());
        }
        LatencyLogs.write(hdr, Shape.PIPELINED, LoadCommand.BARE_DURABLE, durable, System.currentTimeMillis() - 1_000,
            "0.5 0.5 0.5");

        final Histogram read = LatencyLogs.read(hdr.resolve("pipelined-bare-durable.hlog"));
        assertThat(read.getTotalCount()).isEqualTo(durable.latencyUs().getTotalCount()).isPositive();
        assertThat(read.getTag()).isEqualTo(LoadCommand.BARE_DURABLE);
        assertThat(read.getValueAtPercentile(99)).isEqualTo(durable.latencyUs().getValueAtPercentile(99));
        assertThat(hdr.resolve("pipelined-bare.hgrm")).exists();

        assertThat(new CommandLine(new PlotCommand()).execute(dir.toString())).isZero();
        final BufferedImage png = ImageIO.read(dir.resolve("plots").resolve("pipelined.png").toFile());
        assertThat(png.getWidth()).isEqualTo(1000);
        assertThat(png.getHeight()).isEqualTo(600);
        assertThat(dir.resolve("plots").resolve("round-trip.png")).as("no log of that shape").doesNotExist();

        assertThat(new CommandLine(new PlotCommand()).execute(dir.resolve("nothing-here").toString()))
            .as("a directory without logs").isEqualTo(2);
    }

    private static FleetResult run(final int port) throws InterruptedException
    {
        final FleetResult result = new Fleet(new FleetOptions().host("127.0.0.1").port(port).terminals(2)
            .durationMs(1_000).cards(1_000).ioThreads(1).connectTimeoutMs(10_000).drainTimeoutMs(5_000)
            .ratePerSecond(FleetOptions.RATE_MAX).inFlight(4)).run(null);
        assertThat(result.answered()).isEqualTo(result.sent()).isPositive();
        return result;
    }
}
