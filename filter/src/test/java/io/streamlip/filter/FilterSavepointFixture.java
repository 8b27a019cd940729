package io.streamlip.filter;

import io.streamlip.broker.KafkaBroker;
import io.streamlip.filter.config.FilterConfig;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.flink.JobEnvironment;
import io.streamlip.platform.flink.JobSettings;
import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PairProducer;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.kafka.TopicReader;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.RawPair;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;

/**
 * Writes a savepoint fixture of the filter job as this checkout builds it, for {@link
 * FilterSavepointCompatTest}: the job (default configuration, parallelism 1) curates a few
 * synthetic pairs from a real broker and stops with a canonical savepoint. The folder holds the
 * savepoint ({@code savepoint/}) and the raw records it consumed ({@code raw-pairs.bin}), so a
 * later release can restore the state and send the same records again.
 *
 * <p>Run it on the release whose state layout should stay readable, e.g. {@code java -cp
 * "filter/target/test-classes:filter/target/classes:$(cat classpath)"
 * io.streamlip.filter.FilterSavepointFixture OUT_DIR}, and commit OUT_DIR under {@code
 * filter/src/test/resources/savepoints/}.
 */
public final class FilterSavepointFixture {
    /** The topics the fixture's job read and wrote (the savepoint names them). */
    static final PipelineTopics TOPICS = PipelineTopics.defaults().prefixed("compat-");

    /** One key for every record: one partition, in order, the same offsets on each run. */
    static final String KEY = "compat";

    static final int PAIRS = 6;

    private FilterSavepointFixture() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: FilterSavepointFixture OUT_DIR");
        }
        Path out = Path.of(args[0]).toAbsolutePath();
        Files.createDirectories(out);
        List<RawPair> pairs = new ArrayList<>();
        new SyntheticPairs(64).pairs(PAIRS, 41).forEachRemaining(pairs::add);
        writeRecords(out.resolve("raw-pairs.bin"), pairs);
        try (KafkaBroker broker = KafkaBroker.startTemporary()) {
            KafkaClients clients = KafkaClients.of(broker.bootstrapServers());
            try (Admin admin = broker.admin()) {
                TOPICS.create(admin);
            }
            send(clients, pairs);
            Path checkpoints = Files.createTempDirectory("filter-savepoint-fixture");
            StreamExecutionEnvironment env = environment(checkpoints, new Configuration());
            FilterJob.attach(
                    env, clients, TOPICS, FilterConfig.defaults(), FilterJob.Options.defaults());
            JobClient job = env.executeAsync("filter-savepoint-fixture");
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (outcomes(clients) < pairs.size() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            if (outcomes(clients) < pairs.size()) {
                throw new IllegalStateException("the job did not curate its pairs in 3 minutes");
            }
            Path target = out.resolve("savepoints");
            String written =
                    job.stopWithSavepoint(
                                    false, target.toUri().toString(), SavepointFormatType.CANONICAL)
                            .get(2, TimeUnit.MINUTES);
            Path savepoint = Path.of(java.net.URI.create(written).getPath());
            Files.move(savepoint, out.resolve("savepoint"));
            Files.delete(target);
            System.out.println("wrote " + out.resolve("savepoint"));
        }
    }

    /** The job's environment: the pipeline's settings at parallelism 1, plus {@code extra}. */
    static StreamExecutionEnvironment environment(Path checkpoints, Configuration extra) {
        JobSettings settings =
                JobSettings.defaults(checkpoints).toBuilder()
                        .parallelism(1)
                        .checkpointInterval(Duration.ofMillis(500))
                        .build();
        Configuration conf = JobEnvironment.configuration(settings);
        conf.addAll(extra);
        return StreamExecutionEnvironment.getExecutionEnvironment(conf);
    }

    static void send(KafkaClients clients, List<RawPair> pairs) {
        AvroSerde<RawPair> serde = AvroSerde.of(RawPair.class);
        try (PairProducer producer = new PairProducer(clients, TOPICS.rawPairs())) {
            pairs.forEach(p -> producer.sendBytes(KEY, serde.encode(p), null));
        }
    }

    /** Committed records on the curated and rejects topics. */
    static long outcomes(KafkaClients clients) {
        return TopicReader.count(clients, TOPICS.curatedPairs())
                + TopicReader.count(clients, TOPICS.rejects());
    }

    static void writeRecords(Path file, List<RawPair> pairs) throws IOException {
        AvroSerde<RawPair> serde = AvroSerde.of(RawPair.class);
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            out.writeInt(pairs.size());
            for (RawPair pair : pairs) {
                byte[] bytes = serde.encode(pair);
                out.writeInt(bytes.length);
                out.write(bytes);
            }
        }
    }

    static List<RawPair> readRecords(Path file) throws IOException {
        AvroSerde<RawPair> serde = AvroSerde.of(RawPair.class);
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            int n = in.readInt();
            List<RawPair> pairs = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                pairs.add(serde.decode(in.readNBytes(in.readInt())));
            }
            return pairs;
        }
    }

    /** The fixture folders under {@code dir}, by name. */
    static List<Path> fixtures(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).sorted().toList();
        }
    }
}
