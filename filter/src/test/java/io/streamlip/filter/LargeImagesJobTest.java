package io.streamlip.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.image.LargeImages;
import io.streamlip.platform.kafka.PairProducer;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.kafka.TemporaryKafka;
import io.streamlip.platform.kafka.TopicReader;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Reject;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The largest images the filter's defaults accept (40 Mpx, under 8 MiB encoded), several at once,
 * through the filter job at parallelism 2 in a JVM with the heap a TaskManager of the k8s manifests
 * has: the job finishes without a restart and every pair ends curated or rejected.
 */
@Tag("integration")
class LargeImagesJobTest {
    @RegisterExtension static final TemporaryKafka KAFKA = new TemporaryKafka();

    /**
     * The TaskManager heap of deploy/k8s/flink-jobs.yaml ({@code taskManager.resource.memory:
     * 4096m}, two slots), as Flink's BashJavaUtils computes it for {@code
     * taskmanager.memory.process.size: 4096m} (deploy's FlinkMemory runs the same code): {@code
     * -Xmx1664299798}, framework heap 128 MiB plus task heap 1,459 MiB shared by the two slots. The
     * child JVM also holds the MiniCluster's JobManager, so this is if anything tighter than a
     * TaskManager.
     */
    static final long TASK_MANAGER_HEAP_BYTES = 1_664_299_798L;

    private static final int WIDTH = 8000;
    private static final int HEIGHT = 5000; // 40,000,000 pixels: FilterConfig's default bound

    @Test
    void largestAcceptedImagesPassTheJobInATaskManagersHeapWithoutARestart(
            @TempDir Path checkpoints, @TempDir Path logs) throws Exception {
        PipelineTopics topics = KAFKA.createTopics("large-images-");
        FilterConfig defaults = FilterConfig.defaults();
        assertThat((long) WIDTH * HEIGHT).isEqualTo(defaults.maxImagePixels());
        Iterator<RawPair> captions = new SyntheticPairs(32).pairs(100, 3);
        List<String> large = new ArrayList<>();
        List<String> all = new ArrayList<>();
        try (PairProducer producer = new PairProducer(KAFKA.clients(), topics.rawPairs())) {
            // Three kinds, three of each: 8-bit RGBA PNGs (the fast path), 16-bit RGBA PNGs
            // (ImageIO, 8 bytes a pixel) and JPEGs.
            for (int i = 0; i < 9; i++) {
                String id;
                byte[] image;
                if (i % 3 == 0) {
                    id = "large-png8-" + i;
                    image = LargeImages.png(WIDTH, HEIGHT, true, 8, i);
                } else if (i % 3 == 1) {
                    id = "large-png16-" + i;
                    image = LargeImages.png(WIDTH, HEIGHT, true, 16, i);
                } else {
                    id = "large-jpeg-" + i;
                    image = LargeImages.jpeg(WIDTH, HEIGHT, i);
                }
                assertThat(image.length).as(id).isLessThan(defaults.maxImageBytes());
                producer.send(withImage(captions.next(), id, image));
                large.add(id);
                all.add(id);
            }
            for (int i = 0; i < 4; i++) {
                RawPair small = captions.next();
                producer.send(small);
                all.add(small.getId());
            }
        }

        Path log = logs.resolve("child.log");
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + TASK_MANAGER_HEAP_BYTES);
        command.add("-Xms" + TASK_MANAGER_HEAP_BYTES);
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports")) {
                command.add(arg);
            }
        }
        command.add("-cp");
        command.add(
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path")));
        command.add(LargeImagesFilterRun.class.getName());
        command.add(KAFKA.clients().bootstrapServers());
        command.add("large-images-");
        command.add(checkpoints.toString());
        Process child =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        boolean ended = child.waitFor(8, TimeUnit.MINUTES);
        if (!ended) {
            child.destroyForcibly().waitFor();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        String tail = output.substring(Math.max(0, output.length() - 6000));
        assertThat(ended).as("child ended in time; log tail:%n%s", tail).isTrue();
        assertThat(output)
                .as("log tail:%n%s", tail)
                .doesNotContain("OutOfMemoryError")
                .contains("LARGE-IMAGES-JOB: FINISHED");
        assertThat(child.exitValue()).isZero();

        List<CuratedPair> curated =
                TopicReader.readAll(
                        KAFKA.clients(), topics.curatedPairs(), AvroSerde.of(CuratedPair.class));
        List<Reject> rejects =
                TopicReader.readAll(KAFKA.clients(), topics.rejects(), AvroSerde.of(Reject.class));
        List<String> endings = new ArrayList<>();
        curated.forEach(c -> endings.add(c.getPair().getId()));
        rejects.forEach(r -> endings.add(r.getId()));
        assertThat(endings).containsExactlyInAnyOrderElementsOf(all);
        // The large images are whole and decodable: none is refused for its pixels.
        assertThat(rejects)
                .allSatisfy(
                        r ->
                                assertThat(r.getReason().toString())
                                        .as("%s: %s", r.getId(), r.getDetail())
                                        .isIn(
                                                "near_duplicate",
                                                "duplicate",
                                                "language_cap",
                                                "image_cluster_cap"));
        assertThat(curated)
                .filteredOn(c -> large.contains(c.getPair().getId()))
                .allSatisfy(
                        c -> {
                            assertThat(c.getImageWidth()).isEqualTo(WIDTH);
                            assertThat(c.getImageHeight()).isEqualTo(HEIGHT);
                        })
                .extracting(c -> c.getImageFormat())
                .contains("png", "jpeg");
    }

    private static RawPair withImage(RawPair pair, String id, byte[] image) {
        return RawPair.newBuilder(pair).setId(id).setImage(ByteBuffer.wrap(image)).build();
    }
}
