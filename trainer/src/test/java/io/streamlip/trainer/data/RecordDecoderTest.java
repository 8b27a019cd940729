package io.streamlip.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.tokenize.ByteTokenizer;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordDecoderTest {
    private final ExampleDecoder examples =
            new ExampleDecoder(
                    StreamExamples.IMAGE_SIZE, new ByteTokenizer(32).vocabSize(), "bytes-v1");
    private final RecordDecoder decoder = new RecordDecoder(examples);

    @Test
    void decodesAnExample() {
        var example = decoder.decode(MockTopic.record(0, 7, StreamExamples.encode(42, "de")));
        assertThat(example).hasValueSatisfying(e -> assertThat(e.id()).isEqualTo("ex-42"));
        assertThat(decoder.skipped()).isZero();
    }

    @Test
    void countsRefusalsInAllAndByReason() {
        assertThat(decoder.decode(MockTopic.record(0, 0, new byte[0]))).isEmpty();
        assertThat(decoder.decode(MockTopic.record(0, 1, new byte[] {1, 2, 3}))).isEmpty();
        byte[] huge = new byte[examples.maxRecordBytes() + 1];
        assertThat(decoder.decode(MockTopic.record(1, 0, huge))).isEmpty();
        decoder.decode(MockTopic.record(1, 1, StreamExamples.encode(1, "en")));

        assertThat(decoder.skipped()).isEqualTo(3);
        assertThat(decoder.skippedByReason())
                .isEqualTo(
                        Map.of(
                                ExampleDecoder.Refusal.NOT_AN_EXAMPLE, 2L,
                                ExampleDecoder.Refusal.RECORD_TOO_LARGE, 1L));
    }

    @Test
    void logsTheFirstTenOfAReasonThenEveryThousandth() {
        assertThat(RecordDecoder.worthLogging(1)).isTrue();
        assertThat(RecordDecoder.worthLogging(10)).isTrue();
        assertThat(RecordDecoder.worthLogging(11)).isFalse();
        assertThat(RecordDecoder.worthLogging(999)).isFalse();
        assertThat(RecordDecoder.worthLogging(1000)).isTrue();
        assertThat(RecordDecoder.worthLogging(2000)).isTrue();
        assertThat(RecordDecoder.worthLogging(2001)).isFalse();
    }
}
