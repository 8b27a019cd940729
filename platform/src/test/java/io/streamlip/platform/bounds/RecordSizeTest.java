package io.streamlip.platform.bounds;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.platform.Fuzz;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.RawPair;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RecordSizeTest {
    static final AvroSerde<RawPair> SERDE = AvroSerde.of(RawPair.class);
    static final RecordSize<RawPair> SIZE = RecordSize.of(RawPair.class);

    /** The measured size is exactly what the project's serde writes. */
    @Test
    void measuresExactlyTheSingleObjectEncoding() {
        Fuzz.run(
                "RecordSizeTest.measuresExactlyTheSingleObjectEncoding",
                300,
                20261206L,
                (i, random) -> checkMeasuredSize(random));
    }

    static void checkMeasuredSize(SplittableRandom random) {
        String id = Fuzz.string(random, 200);
        String caption = Fuzz.string(random, 2000);
        int imageBytes = Fuzz.size(random, 10_000);
        Map<String, String> attributes = new HashMap<>();
        for (int n = Fuzz.size(random, 20); n > 0; n--) {
            attributes.put(Fuzz.string(random, 20), Fuzz.string(random, 50));
        }
        RawPair pair =
                RawPair.newBuilder()
                        .setId(id)
                        .setImage(imageBytes == 0 ? null : ByteBuffer.wrap(new byte[imageBytes]))
                        .setAltText(caption)
                        .setSource("s")
                        .setCrawlTime(Instant.ofEpochMilli(imageBytes))
                        .setAttributes(attributes)
                        .build();
        assertThat(SIZE.encodedSize(pair)).isEqualTo(SERDE.encode(pair).length);
        assertThat(SIZE.encodedSize(pair))
                .as("twice, reusing the encoder")
                .isEqualTo(SERDE.encode(pair).length);
    }

    @Test
    void fitsLeavesRoomForKafkasFraming() {
        int limit = 16 * 1024 * 1024;
        assertThat(RecordSize.fits(10, 1000, limit)).isTrue();
        assertThat(RecordSize.fits(10, limit - 10, limit)).isFalse();
        assertThat(RecordSize.fits(0, limit - 5000, limit)).isTrue();
        assertThat(RecordSize.fits(0, limit - 4000, limit)).isFalse();
    }

    @Test
    void utf8LengthCountsWithoutEncoding() {
        for (String s : new String[] {"", "abc", "é", "猫", "\uD83D\uDE00", "a\uD83Db"}) {
            assertThat(BoundedText.utf8Length(s))
                    .as(s)
                    .isGreaterThanOrEqualTo(
                            s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        }
        assertThat(BoundedText.utf8Length("\uD83D\uDE00é猫a")).isEqualTo(4 + 2 + 3 + 1);
        assertThat(BoundedText.truncate("abcdef", 4)).isEqualTo("abc…");
        assertThat(BoundedText.truncate("ab\uD83D\uDE00cd", 4)).isEqualTo("ab…");
        assertThat(BoundedText.truncate("abc", 3)).isEqualTo("abc");
    }
}
