package io.streamlip.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.platform.kafka.KafkaEnvelope;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.RawPair;
import io.streamlip.tokenize.TokenizeConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatapathJobsTest {

    @Test
    void theRelaysSecondHopCarriesTheExamplesTheJobsWouldWriteInTurn() {
        List<RawPair> pairs = WebDatapath.pairs(320, 240, DatapathJobs.RELAY_EXAMPLES + 4);
        TokenizeConfig tokenize = TokenizeConfig.builder().imageSize(64).build();

        List<byte[]> values = DatapathJobs.exampleValues(pairs, DatapathSettings.FILTER, tokenize);

        assertThat(values).hasSize(DatapathJobs.RELAY_EXAMPLES);
        Example first = AvroSerde.of(Example.class).decode(values.get(0));
        assertThat(first.getImage().remaining()).isEqualTo(64 * 64 * 3);
        // An example's bytes, not the pair's: 12 KB of pixels against the pair's JPEG.
        assertThat(values.get(0).length).isNotEqualTo(pairs.get(0).getImage().remaining());

        DatapathJobs.ExampleBytes relay = new DatapathJobs.ExampleBytes(values.subList(0, 2));
        byte[] curated = {1, 2, 3};
        assertThat(relay.map(envelope(curated)).value).isSameAs(values.get(0));
        assertThat(relay.map(envelope(curated)).value).isSameAs(values.get(1));
        assertThat(relay.map(envelope(curated)).value).isSameAs(values.get(0));
    }

    @Test
    void aRelayWithoutExamplesIsRefused() {
        assertThatThrownBy(() -> DatapathJobs.relay(List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("example");
    }

    private static KafkaEnvelope envelope(byte[] value) {
        return new KafkaEnvelope(null, value, "curated", 0, 0, 0);
    }
}
