package io.streamlip.ingest.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
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
        assertThat(a.settings().restartAttempts()).isEqualTo(20);
        assertThat(a.settings().restartDelay()).isEqualTo(Duration.ofSeconds(3));
        assertThat(a.bounded()).isTrue();
    }

    @Test
    void defaultsWhatIsOptional() {
        JobArguments a =
                JobArguments.parse(new String[] {"--bootstrap", "k:1", "--checkpoint-dir", "/cp"});
        assertThat(a.settings().parallelism()).isEqualTo(1);
        assertThat(a.settings().restartAttempts()).isEqualTo(2);
        assertThat(a.topics().rawPairs()).isEqualTo("raw-pairs");
        assertThat(a.bounded()).isFalse();
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
