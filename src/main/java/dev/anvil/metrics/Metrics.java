package dev.anvil.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's meter registry: Micrometer's Prometheus registry, which writes the Prometheus text format (no
 * exposition of our own), with the JVM's memory, GC, thread, class-loading, processor and uptime meters. Every
 * {@link MeterBinder} handed to {@link #bind} adds its meters; those that compute a set of labels at scrape time
 * (nodes by state, leases per network) are {@link Refreshing} and run just before each scrape.
 */
public final class Metrics implements AutoCloseable {
    /** The Prometheus text format, version 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final Logger log = LoggerFactory.getLogger(Metrics.class);

    /** Meters whose values (or label sets) are computed once per scrape. */
    public interface Refreshing {
        void refresh();
    }

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final List<Refreshing> refreshing = new CopyOnWriteArrayList<>();

    public Metrics() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Adds {@code o}'s meters if it has any (a {@link MeterBinder}); its refresh runs before every scrape. */
    public void bind(Object o) {
        if (o instanceof MeterBinder b) {
            b.bindTo(registry);
        }
        if (o instanceof Refreshing r) {
            refreshing.add(r);
        }
    }

    /** Every meter in the Prometheus text format, version 0.0.4. */
    public String scrape() {
        for (Refreshing r : refreshing) {
            try {
                r.refresh();
            } catch (RuntimeException e) {
                log.warn("metrics: {} could not refresh, its meters keep their last values: {}", r, e.toString());
            }
        }
        return registry.scrape(CONTENT_TYPE);
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
