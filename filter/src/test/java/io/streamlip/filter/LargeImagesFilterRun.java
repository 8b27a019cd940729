package io.streamlip.filter;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.platform.flink.JobEnvironment;
import io.streamlip.platform.flink.JobSettings;
import io.streamlip.platform.flink.RestartPolicy;
import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PipelineTopics;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The filter job on a MiniCluster with a bounded source, without restarts: a task failure fails the
 * job, so a clean exit means the job never restarted. Run in a JVM of its own by {@link
 * LargeImagesJobTest}, with a TaskManager's heap.
 *
 * <p>Arguments: bootstrap servers, topic prefix, checkpoint folder. Exits 0 when the job finished,
 * 1 when it failed.
 */
public final class LargeImagesFilterRun {
    private LargeImagesFilterRun() {}

    public static void main(String[] args) {
        try {
            KafkaClients kafka = KafkaClients.of(args[0]);
            PipelineTopics topics = PipelineTopics.defaults().prefixed(args[1]);
            JobSettings settings =
                    JobSettings.defaults(Path.of(args[2])).toBuilder()
                            .parallelism(2)
                            .checkpointInterval(Duration.ofSeconds(1))
                            .restartPolicy(RestartPolicy.fixed(0, Duration.ofSeconds(1)))
                            .build();
            StreamExecutionEnvironment env = JobEnvironment.create(settings);
            FilterJob.attach(
                    env,
                    kafka,
                    topics,
                    FilterConfig.defaults(),
                    FilterJob.Options.builder().bounded(true).build());
            env.execute("large-images-filter");
            System.out.println("LARGE-IMAGES-JOB: FINISHED");
            System.exit(0);
        } catch (Throwable e) {
            System.out.println("LARGE-IMAGES-JOB: FAILED " + e);
            e.printStackTrace(System.out);
            System.exit(1);
        }
    }
}
