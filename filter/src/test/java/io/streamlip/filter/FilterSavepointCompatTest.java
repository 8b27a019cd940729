package io.streamlip.filter;

import static io.streamlip.filter.curate.FilterTestRecords.opaque;
import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.broker.KafkaBroker;
import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.curate.PairCurator;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.flink.JobEnvironment;
import io.streamlip.platform.image.Images;
import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.kafka.TopicReader;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Reject;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Savepoints written by older releases of the filter job restore into this one, with every state
 * claimed and the deduplication state working: the same records sent again after the restore are
 * refused as exact and near duplicates, and the source resumes after the records it had read. Each
 * folder under {@code savepoints/} was written by {@link FilterSavepointFixture} on the release it
 * names (its commit); a change of state layout that an upgrade could not restore fails here.
 *
 * <p>Each release gets a broker of its own: the savepoints name the same topics, and a second
 * release restored against the first one's topics would read that release's records and outputs.
 */
@Tag("integration")
class FilterSavepointCompatTest {
    /** The fixture folders, named after the commit that wrote them. */
    static List<String> releases() throws Exception {
        return FilterSavepointFixture.fixtures(resource("/savepoints")).stream()
                .map(p -> p.getFileName().toString())
                .toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("releases")
    void restoresTheDeduplicationStateOfAnOlderRelease(String release, @TempDir Path checkpoints)
            throws Exception {
        Path fixture = resource("/savepoints").resolve(release);
        List<RawPair> originals =
                FilterSavepointFixture.readRecords(fixture.resolve("raw-pairs.bin"));
        assertThat(originals).hasSize(FilterSavepointFixture.PAIRS);
        try (KafkaBroker broker = KafkaBroker.startTemporary()) {
            restoreAndResend(fixture, originals, broker, checkpoints);
        }
    }

    private static void restoreAndResend(
            Path fixture, List<RawPair> originals, KafkaBroker broker, Path checkpoints)
            throws Exception {
        PipelineTopics topics = FilterSavepointFixture.TOPICS;
        try (Admin admin = broker.admin()) {
            topics.create(admin);
        }
        KafkaClients clients = KafkaClients.of(broker.bootstrapServers());
        // The same records at the same offsets as when the savepoint was taken: the restored
        // source resumes after them, so none of them is curated again.
        FilterSavepointFixture.send(clients, originals);
        RawPair exactCopy = RawPair.newBuilder(originals.get(0)).setId("exact-copy").build();
        RawPair nearCopy = reencoded(originals.get(1), "near-copy");
        RawPair fresh =
                RawPair.newBuilder(new SyntheticPairs(64).pairs(1, 7_777).next())
                        .setId("fresh")
                        .build();
        FilterSavepointFixture.send(clients, List.of(exactCopy, nearCopy, fresh));

        Configuration restore = new Configuration();
        restore.set(
                StateRecoveryOptions.SAVEPOINT_PATH,
                fixture.resolve("savepoint").toUri().toString());
        // Every state of the old job must find its operator: nothing is dropped on the way.
        restore.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, false);
        StreamExecutionEnvironment env = FilterSavepointFixture.environment(checkpoints, restore);
        FilterJob.attach(
                env, clients, topics, FilterConfig.defaults(), FilterJob.Options.defaults());
        JobClient job = env.executeAsync("filter-savepoint-compat-test");
        try {
            List<Reject> rejects =
                    TopicReader.await(
                            clients,
                            topics.rejects(),
                            AvroSerde.of(Reject.class),
                            r -> r.size() >= 2,
                            Duration.ofMinutes(3));
            List<CuratedPair> curated =
                    TopicReader.await(
                            clients,
                            topics.curatedPairs(),
                            AvroSerde.of(CuratedPair.class),
                            c -> !c.isEmpty(),
                            Duration.ofMinutes(1));
            assertThat(rejects.stream().map(r -> r.getReason() + ":" + r.getId()))
                    .containsExactlyInAnyOrder("duplicate:exact-copy", "near_duplicate:near-copy");
            assertThat(curated.stream().map(c -> c.getPair().getId())).containsExactly("fresh");
        } finally {
            JobEnvironment.cancel(job, Duration.ofMinutes(1));
        }
    }

    /** The pair with its image re-encoded as JPEG: a near copy of it, not an exact one. */
    private static RawPair reencoded(RawPair pair, String id) throws Exception {
        byte[] jpeg =
                Images.encode(opaque(Images.decode(PairCurator.bytes(pair.getImage()))), "jpeg");
        return RawPair.newBuilder(pair).setId(id).setImage(ByteBuffer.wrap(jpeg)).build();
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(FilterSavepointCompatTest.class.getResource(name).toURI());
    }
}
