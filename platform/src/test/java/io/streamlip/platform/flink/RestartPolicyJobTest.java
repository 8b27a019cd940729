package io.streamlip.platform.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restart policy a job's {@code main} gets by default, on a MiniCluster: a job that fails more
 * often than any fixed budget the project used (2 in {@code main}) keeps being restarted and
 * finishes once the failures stop.
 */
@Tag("integration")
class RestartPolicyJobTest {

    /** Fails every attempt of its task before attempt {@code failures}, then passes records. */
    static final class FailUntilAttempt extends RichMapFunction<Integer, Integer> {
        private final int failures;

        FailUntilAttempt(int failures) {
            this.failures = failures;
        }

        @Override
        public void open(OpenContext context) {
            int attempt = getRuntimeContext().getTaskInfo().getAttemptNumber();
            if (attempt < failures) {
                throw new IllegalStateException("failing attempt " + attempt + " on purpose");
            }
        }

        @Override
        public Integer map(Integer value) {
            return value;
        }
    }

    @Test
    void theClusterDefaultRestartsBeyondAnyFixedBudgetAndTheJobFinishes(@TempDir Path dir)
            throws Exception {
        JobSettings settings =
                JobArguments.parse(
                                new String[] {
                                    "--bootstrap",
                                    "127.0.0.1:1",
                                    "--checkpoint-dir",
                                    dir.toUri().toString()
                                })
                        .settings();
        StreamExecutionEnvironment env = JobEnvironment.create(settings);
        int failures = 4;
        env.fromData(Types.INT, 1, 2, 3)
                .map(new FailUntilAttempt(failures), Types.INT)
                .uid("fail-until")
                .sinkTo(new DiscardingSink<>())
                .uid("discard");
        JobExecutionResult result = env.execute("restart-policy-test");
        // Backed off: 1 s, 1.5 s, 2.25 s, 3.4 s between the 4 restarts (8.1 s, jitter 10 %);
        // a fixed 1 s delay would have taken about half.
        assertThat(result.getNetRuntime()).isGreaterThanOrEqualTo(7_000);
    }
}
