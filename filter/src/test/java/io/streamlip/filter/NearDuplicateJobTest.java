package io.streamlip.filter;

import static io.streamlip.filter.curate.FilterTestRecords.opaque;
import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.config.NearDuplicateConfig;
import io.streamlip.filter.curate.PairCurator;
import io.streamlip.filter.curate.PerceptualHash;
import io.streamlip.filter.neardup.NearDuplicateStages;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.flink.JobEnvironment;
import io.streamlip.platform.flink.JobSettings;
import io.streamlip.platform.image.Images;
import io.streamlip.platform.kafka.PairProducer;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.kafka.TemporaryKafka;
import io.streamlip.platform.kafka.TopicReader;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Reject;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Near-duplicate removal and the image-cluster cap in the filter job, on a MiniCluster against a
 * real broker, with its state on RocksDB. Parallelism 1, so the cluster sees its pairs in Kafka
 * order and which pairs pass is fixed (the races under parallelism are documented on {@link
 * NearDuplicateStages}); FilterJobTest runs the whole job, these stages included, at parallelism 2.
 */
@Tag("integration")
class NearDuplicateJobTest {
    /** Stops at the input topics' end, so the job finishes. */
    private static final FilterJob.Options BOUNDED =
            FilterJob.Options.builder().bounded(true).build();

    @RegisterExtension static final TemporaryKafka KAFKA = new TemporaryKafka();

    @Test
    void refusesNearCopiesWithTheSameCaptionAndCapsTheCluster(@TempDir Path checkpoints)
            throws Exception {
        PipelineTopics topics = KAFKA.createTopics("filter-near-");
        List<RawPair> others = new ArrayList<>();
        new SyntheticPairs(64).pairs(4, 41).forEachRemaining(others::add);
        RawPair base = others.remove(0);
        BufferedImage image = Images.decode(PairCurator.bytes(base.getImage()));
        byte[] jpeg = Images.encode(opaque(image), "jpeg");
        byte[] resized = Images.png(resize(image, 80, 80));
        int maxDistance = NearDuplicateConfig.defaults().maxDistance();
        long phash = PerceptualHash.of(image);
        assertThat(PerceptualHash.distance(phash, PerceptualHash.of(Images.decode(jpeg))))
                .as("the re-encoded copy is a near copy")
                .isLessThanOrEqualTo(maxDistance);
        assertThat(PerceptualHash.distance(phash, PerceptualHash.of(Images.decode(resized))))
                .as("the resized copy is a near copy")
                .isLessThanOrEqualTo(maxDistance);

        AvroSerde<RawPair> serde = AvroSerde.of(RawPair.class);
        try (PairProducer producer = new PairProducer(KAFKA.clients(), topics.rawPairs())) {
            // One Kafka key for the whole cluster: one partition, in order.
            producer.sendBytes("cluster", serde.encode(base), null);
            producer.sendBytes("cluster", serde.encode(withImage(base, "jpeg-copy", jpeg)), null);
            producer.sendBytes(
                    "cluster", serde.encode(withImage(base, "resized-copy", resized)), null);
            for (int i = 1; i <= 4; i++) {
                producer.sendBytes(
                        "cluster",
                        serde.encode(
                                RawPair.newBuilder(base)
                                        .setId("caption-" + i)
                                        .setAltText(base.getAltText() + " variant " + i)
                                        .build()),
                        null);
            }
            others.forEach(producer::send);
        }

        JobSettings settings =
                JobSettings.defaults(checkpoints).toBuilder()
                        .parallelism(1)
                        .checkpointInterval(Duration.ofMillis(500))
                        .build();
        StreamExecutionEnvironment env = JobEnvironment.create(settings);
        assertThat(env.getConfiguration().get(StateBackendOptions.STATE_BACKEND))
                .isEqualTo("rocksdb");
        FilterConfig config =
                FilterConfig.builder()
                        .nearDuplicates(NearDuplicateConfig.builder().clusterCap(3).build())
                        .build();
        FilterJob.attach(env, KAFKA.clients(), topics, config, BOUNDED);
        env.execute("filter-near-duplicate-test");

        List<CuratedPair> curated =
                TopicReader.readAll(
                        KAFKA.clients(), topics.curatedPairs(), AvroSerde.of(CuratedPair.class));
        List<String> expectedKept =
                new ArrayList<>(List.of(base.getId(), "caption-1", "caption-2"));
        others.forEach(o -> expectedKept.add(o.getId()));
        assertThat(curated.stream().map(c -> c.getPair().getId()))
                .containsExactlyInAnyOrderElementsOf(expectedKept);

        List<Reject> rejects =
                TopicReader.readAll(KAFKA.clients(), topics.rejects(), AvroSerde.of(Reject.class));
        assertThat(rejects.stream().map(r -> r.getReason() + ":" + r.getId()))
                .containsExactlyInAnyOrder(
                        "near_duplicate:jpeg-copy",
                        "near_duplicate:resized-copy",
                        "image_cluster_cap:caption-3",
                        "image_cluster_cap:caption-4");
        assertThat(rejects)
                .allSatisfy(
                        r -> {
                            assertThat(r.getStage()).isEqualTo("filter");
                            assertThat(r.getDetail()).contains("cluster");
                            assertThat(r.getTopic()).isEqualTo(topics.rawPairs());
                        });
    }

    static RawPair withImage(RawPair pair, String id, byte[] image) {
        return RawPair.newBuilder(pair).setId(id).setImage(ByteBuffer.wrap(image)).build();
    }

    static BufferedImage resize(BufferedImage image, int w, int h) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(
                RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, w, h, null);
        g.dispose();
        return out;
    }
}
