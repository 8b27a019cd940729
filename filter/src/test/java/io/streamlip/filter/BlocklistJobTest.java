package io.streamlip.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.filter.blocklist.BlocklistEntry;
import io.streamlip.filter.blocklist.BlocklistTopic;
import io.streamlip.filter.config.BlocklistConfig;
import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.config.NearDuplicateConfig;
import io.streamlip.filter.curate.DuplicateKey;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.flink.JobEnvironment;
import io.streamlip.platform.flink.JobSettings;
import io.streamlip.platform.kafka.PairProducer;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.kafka.TemporaryKafka;
import io.streamlip.platform.kafka.TopicReader;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Reject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The blocklists on a running filter job (MiniCluster, real broker, unbounded): the files' entries
 * refuse from the start; an entry published on the blocklist topic while the job runs refuses the
 * pairs that arrive after it, and a tombstone lets them through again. Each step sends probe pairs
 * (the listed image with a new caption) every 50 ms and measures how long after publishing the
 * first probe is refused.
 */
@Tag("integration")
class BlocklistJobTest {
    private static final Logger LOG = LoggerFactory.getLogger(BlocklistJobTest.class);
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final AvroSerde<Reject> REJECTS = AvroSerde.of(Reject.class);
    private static final AvroSerde<CuratedPair> CURATED = AvroSerde.of(CuratedPair.class);

    @RegisterExtension static final TemporaryKafka KAFKA = new TemporaryKafka();

    @Test
    void entriesPublishedWhileTheJobRunsRefuseLaterPairs(@TempDir Path dir) throws Exception {
        PipelineTopics topics = KAFKA.createTopics("blocklist-job-");
        List<RawPair> bases = distinctEnglishPairs(5);
        RawPair a = bases.get(0); // listed by SHA-256 on the topic, then removed
        RawPair b = bases.get(1); // listed by perceptual hash on the topic
        RawPair c = bases.get(2); // gets a caption with a term listed on the topic
        RawPair w = bases.get(3); // in the image file from the start
        RawPair t = withCaption(bases.get(4), "t", "a Forbidden " + bases.get(4).getAltText());

        Path images = dir.resolve("images.txt");
        Files.writeString(images, "# opt-outs\nsha256:" + DuplicateKey.sha256Hex(bytes(w)) + "\n");
        Path terms = dir.resolve("terms.txt");
        Files.writeString(terms, "forbidden\n");
        FilterConfig config =
                FilterConfig.builder()
                        // The probes repeat one image many times: not a cluster to cap here.
                        .nearDuplicates(NearDuplicateConfig.builder().clusterCap(100_000).build())
                        .blocklist(
                                BlocklistConfig.builder()
                                        .captionTermsFile(terms.toString())
                                        .imageHashesFile(images.toString())
                                        .build())
                        .build();
        JobSettings settings =
                JobSettings.defaults(dir.resolve("checkpoints")).toBuilder()
                        .parallelism(2)
                        .checkpointInterval(Duration.ofMillis(500))
                        .build();
        StreamExecutionEnvironment env = JobEnvironment.create(settings);
        FilterJob.attach(env, KAFKA.clients(), topics, config, FilterJob.Options.defaults());
        JobClient job = env.executeAsync("blocklist-job-test");
        try (PairProducer producer = new PairProducer(KAFKA.clients(), topics.rawPairs());
                BlocklistTopic blocklist =
                        new BlocklistTopic(KAFKA.clients(), topics.blocklist())) {
            List.of(a, b, c, w, t).forEach(producer::send);
            producer.flush();
            // The files apply from the start; the other pairs pass.
            assertThat(awaitReject(topics, "t").getReason()).isEqualTo("caption_blocklisted");
            Reject fromFile = awaitReject(topics, w.getId());
            assertThat(fromFile.getReason()).isEqualTo("blocklisted_image");
            assertThat(fromFile.getStage()).isEqualTo("filter");
            assertThat(fromFile.getDetail()).contains("images.txt:2");
            List<CuratedPair> curated =
                    TopicReader.await(
                            KAFKA.clients(),
                            topics.curatedPairs(),
                            CURATED,
                            l -> l.size() >= 3,
                            WAIT);
            assertThat(curated.stream().map(p -> p.getPair().getId()))
                    .containsExactlyInAnyOrder(a.getId(), b.getId(), c.getId());

            Map<String, Object> figures = new LinkedHashMap<>();
            Probes probesA = new Probes(producer, a, "a");
            Effect effect =
                    probesA.untilRefused(
                            topics,
                            () -> blocklist.add(BlocklistEntry.sha256(bytesHex(a))),
                            "blocklisted_image");
            figures.put("sha256", effect);
            assertThat(probesA.sendAfterwards(5, topics))
                    .allSatisfy(r -> assertThat(r).isEqualTo("blocklisted_image"));

            Probes probesC = new Probes(producer, c, "c");
            figures.put(
                    "term",
                    probesC.untilRefused(
                            topics,
                            () -> blocklist.add(BlocklistEntry.term("Zebra Crossing")),
                            "caption_blocklisted",
                            "A zebra crossing: "));

            // Removed: pairs of the image pass again.
            long removedAt = System.nanoTime();
            blocklist.remove(BlocklistEntry.sha256(bytesHex(a)));
            Probes again = new Probes(producer, a, "a-again");
            figures.put("remove", again.untilCurated(topics, removedAt));

            // Perceptual hash: a re-encoded copy (other bytes, other SHA-256) is refused too.
            long phash =
                    curated.stream()
                            .filter(p -> p.getPair().getId().equals(b.getId()))
                            .findFirst()
                            .orElseThrow()
                            .getPhash();
            RawPair copyOfB =
                    RawPair.newBuilder(b).setImage(ByteBuffer.wrap(reencoded(bytes(b)))).build();
            assertThat(DuplicateKey.sha256Hex(bytes(copyOfB)))
                    .isNotEqualTo(DuplicateKey.sha256Hex(bytes(b)));
            Probes probesB = new Probes(producer, copyOfB, "b");
            figures.put(
                    "phash",
                    probesB.untilRefused(
                            topics,
                            () -> blocklist.add(BlocklistEntry.phash(phash)),
                            "blocklisted_image"));
            LOG.info("blocklist effect after publishing, ms: {}", figures);
            System.out.println("BLOCKLIST_EFFECT_MS " + figures);

            // Nothing dropped: every probe is curated or rejected, once.
            Set<String> probes = new HashSet<>();
            for (Probes p : List.of(probesA, probesC, again, probesB)) {
                probes.addAll(p.sent.keySet());
            }
            List<String> seen = new ArrayList<>();
            TopicReader.await(
                    KAFKA.clients(),
                    topics.curatedPairs(),
                    CURATED,
                    l -> {
                        seen.clear();
                        l.forEach(p -> seen.add(p.getPair().getId()));
                        TopicReader.readAll(KAFKA.clients(), topics.rejects(), REJECTS)
                                .forEach(r -> seen.add(r.getId()));
                        return seen.containsAll(probes);
                    },
                    WAIT);
            assertThat(seen.stream().filter(probes::contains))
                    .doesNotHaveDuplicates()
                    .hasSameSizeAs(probes);
            // The opt-out acts while the job runs, in seconds: no probe sent later than that after
            // publishing passed.
            for (Object f : figures.values()) {
                if (f instanceof Effect e) {
                    assertThat(e.lastCuratedMs()).as("%s", e).isLessThan(5_000);
                    assertThat(e.firstRefusedMs()).as("%s", e).isLessThan(5_000);
                }
            }
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
    }

    /**
     * Pairs with {@code base}'s image and a fresh caption each, sent every 50 ms from another
     * thread, each id with its send time.
     */
    private static final class Probes {
        final PairProducer producer;
        final RawPair base;
        final String name;
        final Map<String, Long> sent = new ConcurrentHashMap<>();
        final AtomicInteger next = new AtomicInteger();
        String prefix = "";

        Probes(PairProducer producer, RawPair base, String name) {
            this.producer = producer;
            this.base = base;
            this.name = name;
        }

        String sendOne() {
            int n = next.getAndIncrement();
            String id = "probe-" + name + "-" + n;
            synchronized (producer) {
                producer.send(withCaption(base, id, prefix + base.getAltText() + " copy " + n));
                producer.flush();
            }
            sent.put(id, System.nanoTime());
            return id;
        }

        /**
         * Sends one probe, publishes the entry, sends probes every 50 ms until one is refused as
         * {@code reason}, then waits until every probe of the step is curated or rejected.
         *
         * @return the figures of the step: when the first refused probe and the last curated one
         *     were sent, in ms after the entry was acknowledged by the broker (negative: before)
         */
        Effect untilRefused(
                PipelineTopics topics, ThrowingRunnable publish, String reason, String... prefix)
                throws Exception {
            this.prefix = prefix.length > 0 ? prefix[0] : "";
            sendOne(); // one before the entry
            publish.run();
            long published = System.nanoTime();
            ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor();
            sender.scheduleAtFixedRate(this::sendOne, 0, 50, TimeUnit.MILLISECONDS);
            Long firstRefused = null;
            try {
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (firstRefused == null && System.nanoTime() < deadline) {
                    firstRefused =
                            TopicReader.readAll(KAFKA.clients(), topics.rejects(), REJECTS).stream()
                                    .filter(r -> sent.containsKey(r.getId()))
                                    .filter(r -> r.getReason().equals(reason))
                                    .map(r -> sent.get(r.getId()))
                                    .min(Long::compare)
                                    .orElse(null);
                    Thread.sleep(200);
                }
            } finally {
                sender.shutdownNow();
                sender.awaitTermination(10, TimeUnit.SECONDS);
            }
            if (firstRefused == null) {
                throw new AssertionError(name + ": no probe refused as " + reason);
            }
            List<String> curated = new ArrayList<>();
            TopicReader.await(
                    KAFKA.clients(),
                    topics.curatedPairs(),
                    CURATED,
                    l -> {
                        curated.clear();
                        l.stream()
                                .map(p -> p.getPair().getId())
                                .filter(sent::containsKey)
                                .forEach(curated::add);
                        long rejected =
                                TopicReader.readAll(KAFKA.clients(), topics.rejects(), REJECTS)
                                        .stream()
                                        .filter(r -> sent.containsKey(r.getId()))
                                        .count();
                        return curated.size() + rejected >= sent.size();
                    },
                    WAIT);
            Effect effect =
                    new Effect(
                            TimeUnit.NANOSECONDS.toMillis(firstRefused - published),
                            curated.stream()
                                    .mapToLong(
                                            id ->
                                                    TimeUnit.NANOSECONDS.toMillis(
                                                            sent.get(id) - published))
                                    .max()
                                    .orElse(Long.MIN_VALUE),
                            sent.size());
            LOG.info("{}: {}", name, effect);
            return effect;
        }

        /** Sends {@code n} more probes and returns their rejects' reasons once all are there. */
        List<String> sendAfterwards(int n, PipelineTopics topics) {
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < n; i++) {
                ids.add(sendOne());
            }
            List<Reject> rejects =
                    TopicReader.await(
                            KAFKA.clients(),
                            topics.rejects(),
                            REJECTS,
                            l -> l.stream().filter(r -> ids.contains(r.getId())).count() == n,
                            WAIT);
            return rejects.stream()
                    .filter(r -> ids.contains(r.getId()))
                    .map(Reject::getReason)
                    .toList();
        }

        /** Sends probes until one sent after {@code since} is curated; ms from since to it. */
        long untilCurated(PipelineTopics topics, long since) throws Exception {
            ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor();
            sender.scheduleAtFixedRate(this::sendOne, 0, 50, TimeUnit.MILLISECONDS);
            try {
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (System.nanoTime() < deadline) {
                    Optional<Long> first =
                            TopicReader.readAll(KAFKA.clients(), topics.curatedPairs(), CURATED)
                                    .stream()
                                    .filter(p -> sent.containsKey(p.getPair().getId()))
                                    .map(p -> sent.get(p.getPair().getId()))
                                    .min(Long::compare);
                    if (first.isPresent()) {
                        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(first.get() - since));
                    }
                    Thread.sleep(200);
                }
                throw new AssertionError(name + ": no probe curated after the removal");
            } finally {
                sender.shutdownNow();
                sender.awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * One step's figures: when the first refused probe and the last curated probe were sent, in ms
     * after the broker acknowledged the entry ({@link Long#MIN_VALUE}: none curated).
     */
    record Effect(long firstRefusedMs, long lastCuratedMs, int probes) {
        @Override
        public String toString() {
            return "first refused probe sent "
                    + firstRefusedMs
                    + " ms after publishing, last curated one "
                    + (lastCuratedMs == Long.MIN_VALUE ? "none" : lastCuratedMs + " ms")
                    + ", "
                    + probes
                    + " probes";
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static Reject awaitReject(PipelineTopics topics, String id) {
        List<Reject> rejects =
                TopicReader.await(
                        KAFKA.clients(),
                        topics.rejects(),
                        REJECTS,
                        l -> l.stream().anyMatch(r -> id.equals(r.getId())),
                        WAIT);
        return rejects.stream().filter(r -> id.equals(r.getId())).findFirst().orElseThrow();
    }

    /** English synthetic pairs of distinct classes (so their images differ). */
    private static List<RawPair> distinctEnglishPairs(int n) {
        List<RawPair> out = new ArrayList<>();
        Set<String> classes = new HashSet<>();
        var pairs = new SyntheticPairs(32).pairs(10_000, 41);
        while (out.size() < n && pairs.hasNext()) {
            RawPair p = pairs.next();
            if (p.getLangHint().equals("en") && classes.add(p.getAttributes().get("class"))) {
                out.add(p);
            }
        }
        return out;
    }

    private static RawPair withCaption(RawPair base, String id, String caption) {
        return RawPair.newBuilder(base).setId(id).setAltText(caption).build();
    }

    private static byte[] bytes(RawPair pair) {
        ByteBuffer image = pair.getImage().duplicate();
        byte[] out = new byte[image.remaining()];
        image.get(out);
        return out;
    }

    private static String bytesHex(RawPair pair) {
        return DuplicateKey.sha256Hex(bytes(pair));
    }

    /** The same picture with one pixel nudged, encoded again: other bytes, the same look. */
    private static byte[] reencoded(byte[] png) throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        int rgb = image.getRGB(0, 0);
        image.setRGB(0, 0, rgb ^ 0x010101);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
