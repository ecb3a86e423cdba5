package io.tapswitch.admin.metrics;

import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.VertxOptions;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.PoolMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;

/**
 * Counts the PostgreSQL pool connections in use, through the Vert.x metrics SPI (only SQL pools are observed;
 * nothing else of Vert.x is measured), and exports them as {@code tapswitch_admin_db_pool_in_use}.
 * <p>
 * Thread-safe: the counter is updated from any event loop and read at scrape time.
 */
public final class DbPoolMetrics
{
    private static final String SQL_POOL_TYPE = "sql";
    private final AtomicInteger inUse = new AtomicInteger();

    /**
     * @param registry where the gauge goes.
     */
    public DbPoolMetrics(final MeterRegistry registry)
    {
        Gauge.builder("tapswitch_admin_db_pool_in_use", inUse, AtomicInteger::get)
            .description("PostgreSQL pool connections lent out").register(registry);
    }

    /**
     * @return Vert.x options with metrics enabled (required for the SPI to be called).
     */
    public static VertxOptions vertxOptions()
    {
        return new VertxOptions().setMetricsOptions(new MetricsOptions().setEnabled(true));
    }

    /**
     * @return the factory to give {@code Vertx.builder().withMetrics(...)}.
     */
    public VertxMetricsFactory factory()
    {
        return options -> new VertxMetrics()
        {
            @Override
            public PoolMetrics<?, ?> createPoolMetrics(final String poolType, final String poolName, final int maxPoolSize)
            {
                if (!SQL_POOL_TYPE.equals(poolType))
                {
                    return null;
                }
                return new PoolMetrics<Object, Object>()
                {
                    @Override
                    public Object begin()
                    {
                        inUse.incrementAndGet();
                        return null;
                    }

                    @Override
                    public void end(final Object ignore)
                    {
                        inUse.decrementAndGet();
                    }
                };
            }
        };
    }

    public int inUse()
    {
        return inUse.get();
    }
}
