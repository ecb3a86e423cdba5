import java.util.concurrent.TimeUnit;
import io.micrometer.core.instrument.Timer;
import io.tapswitch.switching.metrics.LatencyHistogram;
import io.tapswitch.switching.metrics.SwitchMetrics;

/** ns per recorded response: the Micrometer timer the event loop used (as registered before, 13 SLO buckets) vs LatencyHistogram; one thread, alternating. */
public class RecordCost {
  public static void main(String[] a) {
    SwitchMetrics m = new SwitchMetrics();
    Timer timer = Timer.builder("tapswitch.authorization.latency.old").serviceLevelObjectives(
        java.time.Duration.ofNanos(10_000), java.time.Duration.ofNanos(25_000), java.time.Duration.ofNanos(50_000),
        java.time.Duration.ofNanos(100_000), java.time.Duration.ofNanos(250_000), java.time.Duration.ofNanos(500_000),
        java.time.Duration.ofMillis(1), java.time.Duration.ofNanos(2_500_000), java.time.Duration.ofMillis(5), java.time.Duration.ofMillis(10),
        java.time.Duration.ofMillis(25), java.time.Duration.ofMillis(50), java.time.Duration.ofMillis(100))
        .minimumExpectedValue(java.time.Duration.ofNanos(10_000)).maximumExpectedValue(java.time.Duration.ofMillis(100)).register(m.registry());
    LatencyHistogram h = LatencyHistogram.authorization();
    int n = 5_000_000; long sink = 0;
    long[] vals = new long[4096]; java.util.Random r = new java.util.Random(1);
    for (int i = 0; i < vals.length; i++) vals[i] = 200_000 + r.nextInt(5_000_000); // 0.2 .. 5.2 ms: the pipelined shape's answers
    for (int round = 0; round < 6; round++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) timer.record(vals[i & 4095], TimeUnit.NANOSECONDS);
      long t1 = System.nanoTime();
      long now = System.nanoTime();
      for (int i = 0; i < n; i++) h.record(vals[i & 4095], now);
      long t2 = System.nanoTime();
      if (round >= 2) System.out.printf("round %d: Micrometer timer %.1f ns/record, LatencyHistogram %.1f ns/record, ratio %.1fx%n",
          round - 1, (t1 - t0) / (double) n, (t2 - t1) / (double) n, (t1 - t0) / (double) (t2 - t1));
    }
    System.out.println("counts " + timer.count() + " " + h.count());
  }
}
