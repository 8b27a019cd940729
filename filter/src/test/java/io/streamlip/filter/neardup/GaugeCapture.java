package io.streamlip.filter.neardup;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A metric reporter for MiniCluster tests that keeps the value of each streamlip gauge and counter
 * when its task ends (the largest over a job's attempts), by metric identifier. The cluster runs in
 * the test's JVM, so the values are read through a static map: only one test may use it at a time,
 * and it clears it first ({@link #clear}).
 */
public final class GaugeCapture implements MetricReporter, MetricReporterFactory {
    private static final Map<String, Number> LAST = new ConcurrentHashMap<>();

    /** The configuration keys that install this reporter. */
    static void install(Configuration config) {
        config.setString("metrics.reporter.gauges.factory.class", GaugeCapture.class.getName());
    }

    static void clear() {
        LAST.clear();
    }

    /** The values of the metrics whose identifier ends with {@code name}, one per task. */
    static Map<String, Number> values(String name) {
        Map<String, Number> out = new java.util.TreeMap<>();
        LAST.forEach(
                (id, value) -> {
                    if (id.endsWith("." + name)) {
                        out.put(id, value);
                    }
                });
        return out;
    }

    private static Number larger(Number a, Number b) {
        return a.doubleValue() >= b.doubleValue() ? a : b;
    }

    @Override
    public MetricReporter createMetricReporter(Properties properties) {
        return this;
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {}

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        String id = group.getMetricIdentifier(name);
        if (!id.contains(".streamlip.")) {
            return;
        }
        if (metric instanceof Gauge<?> gauge && gauge.getValue() instanceof Number value) {
            LAST.merge(id, value, GaugeCapture::larger);
        } else if (metric instanceof Counter counter) {
            LAST.merge(id, counter.getCount(), GaugeCapture::larger);
        }
    }
}
