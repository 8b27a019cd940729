package io.streamlip.platform.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JobArgumentsTest {

    @Test
    void parsesEveryOption() {
        JobArguments a =
                JobArguments.parse(
                        new String[] {
                            "--bootstrap", "kafka:9092",
                            "--checkpoint-dir", "s3://bucket/cp",
                            "--parallelism", "4",
                            "--checkpoint-interval-ms", "250",
                            "--topic-prefix", "exp1-",
                            "--restart-attempts", "20",
                            "--restart-delay-ms", "3000",
                            "--bounded"
                        });
        assertThat(a.kafka().bootstrapServers()).isEqualTo("kafka:9092");
        assertThat(a.settings().checkpointDir()).isEqualTo("s3://bucket/cp");
        assertThat(a.settings().parallelism()).isEqualTo(4);
        assertThat(a.settings().checkpointInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(a.topics().rawPairs()).isEqualTo("exp1-raw-pairs");
        assertThat(a.settings().restartPolicy())
                .isEqualTo(RestartPolicy.fixed(20, Duration.ofSeconds(3)));
        assertThat(a.bounded()).isTrue();
    }

    @Test
    void takesTheJobsOwnOptionsBesideTheCommonOnes() {
        Set<String> jobOptions = Set.of("job-thing", "other");
        JobArguments a =
                JobArguments.parse(
                        new String[] {
                            "--job-thing", "first",
                            "--bootstrap", "k:1",
                            "--kafka-property", "security.protocol=SSL",
                            "--checkpoint-dir", "/cp",
                            "--job-thing=last"
                        },
                        jobOptions);
        assertThat(a.jobOption("job-thing")).contains("last");
        assertThat(a.jobOption("other")).isEmpty();
        assertThat(a.kafka().bootstrapServers()).isEqualTo("k:1");
        assertThat(a.settings().checkpointDir()).isEqualTo("/cp");
        String[] common = {"--bootstrap", "k:1", "--checkpoint-dir", "/cp"};
        assertThat(JobArguments.parse(common).jobOptions()).isEmpty();
        String[] missingValue = {"--bootstrap", "k:1", "--checkpoint-dir", "/cp", "--job-thing"};
        assertThatThrownBy(() -> JobArguments.parse(missingValue, jobOptions))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--job-thing needs a value; usage: ");
    }

    @Test
    void defaultsWhatIsOptional() {
        JobArguments a =
                JobArguments.parse(new String[] {"--bootstrap", "k:1", "--checkpoint-dir", "/cp"});
        assertThat(a.settings().parallelism()).isEqualTo(1);
        assertThat(a.settings().restartPolicy()).isEqualTo(RestartPolicy.exponential());
        assertThat(a.settings().retainedCheckpoints()).isEqualTo(3);
        assertThat(a.topics().rawPairs()).isEqualTo("raw-pairs");
        assertThat(a.bounded()).isFalse();
    }

    @Test
    void backoffOptionsTuneTheExponentialPolicyAndDoNotMixWithFixedDelay() {
        JobArguments a =
                JobArguments.parse(
                        new String[] {
                            "--bootstrap", "k:1",
                            "--checkpoint-dir", "/cp",
                            "--restart-backoff-initial-ms", "200",
                            "--restart-backoff-max-ms", "30000",
                            "--restart-backoff-multiplier", "2",
                            "--restart-backoff-reset-ms", "600000",
                            "--restart-backoff-jitter", "0.2",
                            "--retained-checkpoints", "5"
                        });
        assertThat(a.settings().restartPolicy())
                .isEqualTo(
                        new RestartPolicy.Exponential(
                                Duration.ofMillis(200),
                                Duration.ofSeconds(30),
                                2.0,
                                Duration.ofMinutes(10),
                                0.2));
        assertThat(a.settings().retainedCheckpoints()).isEqualTo(5);
        // Only the delay given: fixed-delay with the default 2 attempts.
        assertThat(
                        JobArguments.parse(
                                        new String[] {
                                            "--bootstrap", "k:1",
                                            "--checkpoint-dir", "/cp",
                                            "--restart-delay-ms", "500"
                                        })
                                .settings()
                                .restartPolicy())
                .isEqualTo(RestartPolicy.fixed(2, Duration.ofMillis(500)));
        assertThatThrownBy(
                        () ->
                                JobArguments.parse(
                                        new String[] {
                                            "--bootstrap", "k:1",
                                            "--checkpoint-dir", "/cp",
                                            "--restart-attempts", "3",
                                            "--restart-backoff-max-ms", "1000"
                                        }))
                .hasMessageContaining("do not mix")
                .hasMessageContaining("usage:");
        assertThatThrownBy(
                        () ->
                                JobArguments.parse(
                                        new String[] {
                                            "--bootstrap", "k:1",
                                            "--checkpoint-dir", "/cp",
                                            "--restart-backoff-multiplier", "0.5"
                                        }))
                .hasMessageContaining("multiplier must be at least 1");
    }

    @Test
    void explainsWhatIsWrong() {
        assertThatThrownBy(() -> JobArguments.parse(new String[] {"--checkpoint-dir", "/cp"}))
                .hasMessageContaining("missing --bootstrap")
                .hasMessageContaining("usage:");
        assertThatThrownBy(
                        () ->
                                JobArguments.parse(
                                        new String[] {
                                            "--bootstrap",
                                            "k:1",
                                            "--checkpoint-dir",
                                            "/cp",
                                            "--paralelism",
                                            "2"
                                        }))
                .hasMessageContaining("unknown option --paralelism");
        assertThatThrownBy(
                        () ->
                                JobArguments.parse(
                                        new String[] {
                                            "--bootstrap",
                                            "k:1",
                                            "--checkpoint-dir",
                                            "/cp",
                                            "--parallelism",
                                            "two"
                                        }))
                .hasMessageContaining("not a number");
    }

    @Test
    void passesRepeatedKafkaPropertiesToEveryClientAndPrintsNoSecret() {
        String jaas =
                "org.apache.kafka.common.security.plain.PlainLoginModule required"
                        + " username=\"u\" password=\"hunter2\";";
        JobArguments a =
                JobArguments.parse(
                        new String[] {
                            "--bootstrap", "k:1",
                            "--kafka-property", "security.protocol=SASL_SSL",
                            "--checkpoint-dir", "/cp",
                            "--kafka-property", "sasl.jaas.config=" + jaas,
                            "--kafka-property=sasl.mechanism=PLAIN"
                        });
        assertThat(a.kafka().extra())
                .containsOnly(
                        Map.entry("security.protocol", "SASL_SSL"),
                        Map.entry("sasl.jaas.config", jaas),
                        Map.entry("sasl.mechanism", "PLAIN"));
        assertThat(a.kafka().consumer("g"))
                .containsEntry("sasl.jaas.config", jaas)
                .containsEntry("security.protocol", "SASL_SSL");
        assertThat(a.kafka().producer()).containsEntry("sasl.mechanism", "PLAIN");
        assertThat(a.settings().checkpointDir()).isEqualTo("/cp");
        assertThat(a.toString())
                .contains("security.protocol=SASL_SSL", "sasl.jaas.config=[hidden]")
                .doesNotContain("hunter2");
    }

    @Test
    void refusesAKafkaPropertyWithoutKeyOrValueWithoutEchoingIt() {
        assertThatThrownBy(
                        () ->
                                JobArguments.parse(
                                        new String[] {
                                            "--bootstrap", "k:1",
                                            "--checkpoint-dir", "/cp",
                                            "--kafka-property", "hunter2"
                                        }))
                .hasMessageContaining("--kafka-property takes KEY=VALUE")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(
                        () ->
                                JobArguments.parse(
                                        new String[] {
                                            "--bootstrap",
                                            "k:1",
                                            "--checkpoint-dir",
                                            "/cp",
                                            "--kafka-property"
                                        }))
                .hasMessageContaining("missing KEY=VALUE");
    }
}
