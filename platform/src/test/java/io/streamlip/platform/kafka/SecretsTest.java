package io.streamlip.platform.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretsTest {
    static final String JAAS =
            "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\""
                    + " password=\"hunter2\";";

    @Test
    void masksEveryKeyThatNamesASecret() {
        assertThat(Secrets.isSecret("sasl.jaas.config")).isTrue();
        assertThat(Secrets.isSecret("ssl.key.password")).isTrue();
        assertThat(Secrets.isSecret("ssl.truststore.password")).isTrue();
        assertThat(Secrets.isSecret("ssl.keystore.key")).isTrue();
        assertThat(Secrets.isSecret("sasl.oauthbearer.token.endpoint.url")).isTrue();
        assertThat(Secrets.isSecret("Client.Secret")).isTrue();
        assertThat(Secrets.isSecret("basic.auth.user.info")).isTrue();
        assertThat(Secrets.isSecret("security.protocol")).isFalse();
        assertThat(Secrets.isSecret("sasl.mechanism")).isFalse();
        assertThat(Secrets.isSecret("ssl.truststore.location")).isFalse();
    }

    @Test
    void masksValuesButKeepsKeysAndOtherSettings() {
        assertThat(
                        Secrets.mask(
                                Map.of(
                                        "sasl.jaas.config", JAAS,
                                        "security.protocol", "SASL_SSL",
                                        "ssl.truststore.password", "pw")))
                .containsExactly(
                        Map.entry("sasl.jaas.config", Secrets.HIDDEN),
                        Map.entry("security.protocol", "SASL_SSL"),
                        Map.entry("ssl.truststore.password", Secrets.HIDDEN));
    }

    @Test
    void masksSecretKafkaPropertiesOnACommandLineInBothSpellings() {
        List<String> masked =
                Secrets.maskArguments(
                        List.of(
                                "--bootstrap",
                                "k:9092",
                                "--kafka-property",
                                "sasl.jaas.config=" + JAAS,
                                "--kafka-property",
                                "security.protocol=SASL_SSL",
                                "--kafka-property=ssl.key.password=hunter2",
                                "--password-file",
                                "not-a-kafka-property"));
        assertThat(masked)
                .containsExactly(
                        "--bootstrap",
                        "k:9092",
                        "--kafka-property",
                        "sasl.jaas.config=[hidden]",
                        "--kafka-property",
                        "security.protocol=SASL_SSL",
                        "--kafka-property=ssl.key.password=[hidden]",
                        "--password-file",
                        "not-a-kafka-property");
        assertThat(String.join(" ", masked)).doesNotContain("hunter2");
    }

    @Test
    void kafkaClientsPrintNoSecret() {
        KafkaClients kafka =
                KafkaClients.of("k:9092")
                        .with(Map.of("sasl.jaas.config", JAAS, "security.protocol", "SASL_SSL"));
        assertThat(kafka.toString())
                .contains("k:9092", "security.protocol=SASL_SSL", "sasl.jaas.config=[hidden]")
                .doesNotContain("hunter2");
        assertThat(kafka.common()).containsEntry("sasl.jaas.config", JAAS);
    }
}
