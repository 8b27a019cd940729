package io.streamlip.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.api.common.JobStatus;
import org.junit.jupiter.api.Test;

class JobWatchTest {

    @Test
    void aJobMeantToRunIsInTroubleWhenItFailsRestartsOrEnds() {
        assertThat(JobWatch.problem(JobStatus.RUNNING, 0)).isNull();
        assertThat(JobWatch.problem(JobStatus.INITIALIZING, 0)).isNull();
        assertThat(JobWatch.problem(null, 0)).isNull();
        assertThat(JobWatch.problem(JobStatus.RUNNING, 2)).isEqualTo("restarted (2x)");
        assertThat(JobWatch.problem(JobStatus.RESTARTING, 0)).isEqualTo("restarted");
        assertThat(JobWatch.problem(JobStatus.FAILING, 1)).isEqualTo("failed");
        assertThat(JobWatch.problem(JobStatus.FAILED, 3)).isEqualTo("failed");
        assertThat(JobWatch.problem(JobStatus.FINISHED, 0))
                .isEqualTo("ended on its own (FINISHED)");
        assertThat(JobWatch.problem(JobStatus.CANCELED, 0))
                .isEqualTo("ended on its own (CANCELED)");
    }

    @Test
    void theRootCauseIsTheInnermostCausesFirstLineCapped() throws Exception {
        String trace =
                """
                org.apache.flink.runtime.JobException: Recovery is suppressed
                \tat org.apache.flink.X.y(X.java:1)
                Caused by: org.apache.kafka.common.KafkaException: sending failed
                \tat a.b(C.java:2)
                Caused by: org.apache.kafka.common.errors.RecordTooLargeException: The message is 9437400 bytes
                \tat d.e(F.java:3)
                """;
        assertThat(JobWatch.rootCauseLine(trace))
                .isEqualTo(
                        "org.apache.kafka.common.errors.RecordTooLargeException: The message is"
                                + " 9437400 bytes");
        assertThat(JobWatch.rootCauseLine("java.lang.IllegalStateException: " + "x".repeat(5000)))
                .hasSize(200);
        var exceptions =
                new ObjectMapper()
                        .readTree(
                                "{\"exceptionHistory\": {\"entries\": [{\"stacktrace\": \"a.B: top\\n"
                                        + "Caused by: c.D: bottom\\n\"}]}}");
        assertThat(JobWatch.rootCause(exceptions)).isEqualTo("c.D: bottom");
        assertThat(JobWatch.rootCause(new ObjectMapper().readTree("{}"))).isNull();
    }
}
