package io.streamlip.monitor;

import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.kafka.Secrets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a pipeline's Kafka: each {@link #refresh()} reads the topics' offsets and log sizes, the
 * consumer groups' committed offsets, the new records of the rejects and model-updates topics, and
 * returns a {@link Snapshot} with rates since the previous refresh and each group's status by
 * Burrow's rules ({@link CommitWindow}). Snapshots go to the {@link HistoryStore} when one is
 * configured; the lag windows are rebuilt from it on start.
 *
 * <p>A broker that does not answer gives a snapshot with {@code reachable=false} and the reason;
 * the next refresh simply tries again (the Kafka clients reconnect by themselves).
 *
 * <p>Not thread-safe for refreshes; {@link #latest()} may be read from any thread.
 */
public final class Monitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Monitor.class);
    private static final Duration TAIL_BUDGET = Duration.ofSeconds(3);
    private static final int RECENT_IN_MEMORY = 720;

    private final KafkaClients kafka;
    private final PipelineTopics topics;
    private final MonitorConfig config;
    private final LongSupplier clock;
    private final HistoryStore history;
    private final Map<String, CommitWindow> windows = new HashMap<>();
    private final RejectCounts rejects = new RejectCounts();
    private final TrainerTracker trainer;
    private Admin admin;
    private TopicTail rejectsTail;
    private TopicTail updatesTail;
    private Map<String, long[]> previousTopics = Map.of(); // name -> {time, endSum, size}
    private volatile Snapshot latest;
    private final java.util.ArrayDeque<Snapshot> recent = new java.util.ArrayDeque<>();

    /** A monitor reading the wall clock. */
    public Monitor(KafkaClients kafka, PipelineTopics topics, MonitorConfig config) {
        this(kafka, topics, config, System::currentTimeMillis);
    }

    Monitor(KafkaClients kafka, PipelineTopics topics, MonitorConfig config, LongSupplier clock) {
        this.kafka = kafka;
        this.topics = topics;
        this.config = config;
        this.clock = clock;
        this.trainer = new TrainerTracker(config.maxTrainerUpdates(), config.trainerMetricsFile());
        this.history = config.historyDir() == null ? null : HistoryStore.open(config.historyDir());
        LOG.info(
                "monitoring Kafka at {} (client properties {}), topics {}",
                kafka.bootstrapServers(),
                Secrets.mask(kafka.extra()),
                pipelineTopics());
        if (history != null) {
            restoreWindows();
        }
    }

    /** The pipeline topics in flow order. */
    public List<String> pipelineTopics() {
        return List.of(
                topics.rawPairs(),
                topics.curatedPairs(),
                topics.examples(),
                topics.rejects(),
                topics.modelUpdates());
    }

    public MonitorConfig config() {
        return config;
    }

    /** The history, or null when none is kept. */
    public HistoryStore history() {
        return history;
    }

    /** The newest snapshot, or null before the first refresh. */
    public Snapshot latest() {
        return latest;
    }

    /**
     * The lag and throughput series of the last {@code window} (at most the retention), reduced to
     * at most {@code maxPoints} points ({@link HistoryDownsampler}): from the history when one is
     * kept, reading only that window of it one snapshot at a time, else from the last {@value
     * #RECENT_IN_MEMORY} snapshots kept in memory.
     */
    public HistorySeries history(Duration window, int maxPoints) {
        long now = clock.getAsLong();
        long span = Math.max(1, Math.min(window.toMillis(), config.retention().toMillis()));
        long from = now - span;
        if (history != null) {
            HistoryDownsampler points =
                    new HistoryDownsampler(from, now, maxPoints, history.count(from, now));
            history.scan(from, now, points);
            return points.result();
        }
        synchronized (recent) {
            HistoryDownsampler points = new HistoryDownsampler(from, now, maxPoints, recent.size());
            recent.forEach(points);
            return points.result();
        }
    }

    /** The trainer's loss and evaluation by model update, oldest first. */
    public synchronized List<TrainerPoint> trainerCurve() {
        return trainer.curve();
    }

    /** Reads Kafka now; never throws for an unreachable broker (see the class comment). */
    public synchronized Snapshot refresh() {
        long now = clock.getAsLong();
        Snapshot snapshot;
        try {
            snapshot = collect(now);
        } catch (Exception e) {
            String reason = reason(e);
            snapshot = Snapshot.unreachable(now, kafka.bootstrapServers(), reason);
            LOG.warn("Kafka at {} is not reachable: {}", kafka.bootstrapServers(), reason);
        }
        latest = snapshot;
        synchronized (recent) {
            recent.addLast(snapshot);
            while (recent.size() > RECENT_IN_MEMORY) {
                recent.removeFirst();
            }
        }
        if (history != null) {
            history.append(snapshot);
            history.deleteBefore(now - config.retention().toMillis());
        }
        return snapshot;
    }

    private Snapshot collect(long now) throws Exception {
        Admin a = admin();
        Collection<Node> nodes = get(a.describeCluster().nodes());
        Map<String, TopicDescription> described = describeTopics(a);
        List<TopicPartition> partitions = new ArrayList<>();
        for (TopicDescription d : described.values()) {
            d.partitions()
                    .forEach(p -> partitions.add(new TopicPartition(d.name(), p.partition())));
        }
        Map<TopicPartition, Long> ends = offsets(a, partitions, OffsetSpec.latest());
        Map<TopicPartition, Long> starts = offsets(a, partitions, OffsetSpec.earliest());
        Map<TopicPartition, Long> sizes = logSizes(a, nodes);
        List<Snapshot.TopicStats> topicStats = topicStats(now, described, starts, ends, sizes);
        List<Snapshot.GroupStats> groups = groups(a, now, ends);
        readTails();
        return new Snapshot(
                now,
                kafka.bootstrapServers(),
                true,
                null,
                topicStats,
                groups,
                rejects.stats(),
                trainer.stats(now));
    }

    private Map<String, TopicDescription> describeTopics(Admin a) throws Exception {
        Set<String> existing = get(a.listTopics().names());
        List<String> present =
                pipelineTopics().stream().filter(existing::contains).distinct().toList();
        Map<String, TopicDescription> byName = get(a.describeTopics(present).allTopicNames());
        Map<String, TopicDescription> ordered = new LinkedHashMap<>();
        for (String name : present) {
            ordered.put(name, byName.get(name));
        }
        return ordered;
    }

    private Map<TopicPartition, Long> offsets(
            Admin a, List<TopicPartition> partitions, OffsetSpec spec) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        Map<TopicPartition, Long> out = new HashMap<>();
        get(a.listOffsets(request).all()).forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    /** Bytes of each partition's log: the largest replica of it on any broker. */
    private Map<TopicPartition, Long> logSizes(Admin a, Collection<Node> nodes) throws Exception {
        Map<TopicPartition, Long> out = new HashMap<>();
        List<Integer> ids = nodes.stream().map(Node::id).toList();
        Map<Integer, Map<String, LogDirDescription>> dirs =
                get(a.describeLogDirs(ids).allDescriptions());
        for (Map<String, LogDirDescription> byDir : dirs.values()) {
            for (LogDirDescription dir : byDir.values()) {
                for (Map.Entry<TopicPartition, ReplicaInfo> e : dir.replicaInfos().entrySet()) {
                    if (!e.getValue().isFuture()) {
                        out.merge(e.getKey(), e.getValue().size(), Math::max);
                    }
                }
            }
        }
        return out;
    }

    private List<Snapshot.TopicStats> topicStats(
            long now,
            Map<String, TopicDescription> described,
            Map<TopicPartition, Long> starts,
            Map<TopicPartition, Long> ends,
            Map<TopicPartition, Long> sizes) {
        List<Snapshot.TopicStats> out = new ArrayList<>();
        Map<String, long[]> current = new HashMap<>();
        for (TopicDescription d : described.values()) {
            int n = d.partitions().size();
            List<Long> startList = new ArrayList<>();
            List<Long> endList = new ArrayList<>();
            long records = 0;
            long endSum = 0;
            long size = 0;
            for (int p = 0; p < n; p++) {
                TopicPartition tp = new TopicPartition(d.name(), p);
                long start = starts.getOrDefault(tp, 0L);
                long end = ends.getOrDefault(tp, 0L);
                startList.add(start);
                endList.add(end);
                records += end - start;
                endSum += end;
                size += sizes.getOrDefault(tp, 0L);
            }
            double msgRate = Double.NaN;
            double byteRate = Double.NaN;
            long[] prev = previousTopics.get(d.name());
            if (prev != null && now > prev[0]) {
                double seconds = (now - prev[0]) / 1000.0;
                msgRate = Math.max(0, endSum - prev[1]) / seconds;
                byteRate = Math.max(0, size - prev[2]) / seconds;
            }
            current.put(d.name(), new long[] {now, endSum, size});
            out.add(
                    new Snapshot.TopicStats(
                            d.name(),
                            n,
                            startList,
                            endList,
                            records,
                            size,
                            msgRate,
                            byteRate,
                            Snapshot.BYTES_SOURCE));
        }
        previousTopics = current;
        return out;
    }

    private List<Snapshot.GroupStats> groups(Admin a, long now, Map<TopicPartition, Long> ends)
            throws Exception {
        Collection<GroupListing> listings =
                get(a.listGroups(ListGroupsOptions.forConsumerGroups()).all());
        if (listings.isEmpty()) {
            return List.of();
        }
        Map<String, ListConsumerGroupOffsetsSpec> specs = new TreeMap<>();
        listings.forEach(g -> specs.put(g.groupId(), new ListConsumerGroupOffsetsSpec()));
        Map<String, Map<TopicPartition, OffsetAndMetadata>> committed =
                get(a.listConsumerGroupOffsets(specs).all());
        Set<String> ours = Set.copyOf(pipelineTopics());
        Map<String, Map<TopicPartition, Long>> relevant = new TreeMap<>();
        committed.forEach(
                (group, offsets) -> {
                    Map<TopicPartition, Long> mine = new TreeMap<>(Monitor::compare);
                    offsets.forEach(
                            (tp, om) -> {
                                if (om != null && ours.contains(tp.topic())) {
                                    mine.put(tp, om.offset());
                                }
                            });
                    if (!mine.isEmpty()) {
                        relevant.put(group, mine);
                    }
                });
        if (relevant.isEmpty()) {
            return List.of();
        }
        Map<String, ConsumerGroupDescription> descriptions =
                get(a.describeConsumerGroups(relevant.keySet()).all());
        long interval = config.interval().toMillis();
        List<Snapshot.GroupStats> out = new ArrayList<>();
        relevant.forEach(
                (group, offsets) -> {
                    ConsumerGroupDescription d = descriptions.get(group);
                    int members = d == null ? 0 : d.members().size();
                    String state = d == null ? "UNKNOWN" : String.valueOf(d.groupState());
                    List<Snapshot.PartitionLag> parts = new ArrayList<>();
                    LagStatus worst = LagStatus.OK;
                    long total = 0;
                    long max = 0;
                    double complete = 1.0;
                    for (var e : offsets.entrySet()) {
                        TopicPartition tp = e.getKey();
                        long end = ends.getOrDefault(tp, e.getValue());
                        long lag = Math.max(0, end - e.getValue());
                        CommitWindow w = window(group, tp);
                        w.observe(now, e.getValue(), lag, members > 0);
                        LagStatus status = w.status(lag, now, interval);
                        worst = worst.worst(status);
                        total += lag;
                        max = Math.max(max, lag);
                        complete = Math.min(complete, w.complete());
                        parts.add(
                                new Snapshot.PartitionLag(
                                        tp.topic(),
                                        tp.partition(),
                                        e.getValue(),
                                        end,
                                        lag,
                                        status));
                    }
                    out.add(
                            new Snapshot.GroupStats(
                                    group,
                                    state,
                                    members,
                                    worst.asGroupStatus(),
                                    worst,
                                    total,
                                    max,
                                    complete,
                                    parts));
                });
        return out;
    }

    private CommitWindow window(String group, TopicPartition tp) {
        return windows.computeIfAbsent(
                group + "\u0000" + tp, k -> new CommitWindow(config.window()));
    }

    /** Rebuilds the lag windows from the newest history, so a restarted monitor judges at once. */
    private void restoreWindows() {
        long horizon = clock.getAsLong() - 2L * config.window() * config.interval().toMillis();
        List<Snapshot> recent = history.latest(2 * config.window());
        int used = 0;
        for (Snapshot s : recent) {
            if (!s.reachable() || s.time() < horizon) {
                continue;
            }
            used++;
            for (Snapshot.GroupStats g : s.groups()) {
                for (Snapshot.PartitionLag p : g.partitions()) {
                    window(g.group(), new TopicPartition(p.topic(), p.partition()))
                            .observe(s.time(), p.committed(), p.lag(), g.members() > 0);
                }
            }
        }
        if (used > 0) {
            LOG.info("lag windows restored from {} snapshots in {}", used, history.dir());
        }
    }

    private void readTails() {
        if (rejectsTail == null) {
            rejectsTail = new TopicTail(kafka, topics.rejects(), config.requestTimeout());
            updatesTail = new TopicTail(kafka, topics.modelUpdates(), config.requestTimeout());
        }
        rejectsTail.readNew(TAIL_BUDGET, r -> rejects.add(r.value()));
        updatesTail.readNew(TAIL_BUDGET, r -> trainer.add(r.value()));
    }

    private Admin admin() {
        if (admin == null) {
            Properties p = kafka.common();
            long timeout = config.requestTimeout().toMillis();
            p.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(timeout));
            p.putIfAbsent(
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(2 * timeout));
            p.putIfAbsent(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "5000");
            admin = Admin.create(p);
        }
        return admin;
    }

    private <T> T get(KafkaFuture<T> future) throws Exception {
        try {
            return future.get(2 * config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private static int compare(TopicPartition a, TopicPartition b) {
        int c = a.topic().compareTo(b.topic());
        return c != 0 ? c : Integer.compare(a.partition(), b.partition());
    }

    private static String reason(Exception e) {
        if (e instanceof TimeoutException
                || e instanceof org.apache.kafka.common.errors.TimeoutException) {
            return "no answer within the request timeout (" + e.getMessage() + ")";
        }
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    @Override
    public synchronized void close() {
        for (AutoCloseable c : new AutoCloseable[] {rejectsTail, updatesTail}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.debug("closing a reader", e);
                }
            }
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
        }
        if (history != null) {
            history.close();
        }
    }
}
