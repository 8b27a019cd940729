package io.streamlip.ingest.bounds;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.RawPair;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class RecordSizeTest {
    static final AvroSerde<RawPair> SERDE = AvroSerde.of(RawPair.class);
    static final RecordSize<RawPair> SIZE = RecordSize.of(RawPair.class);

    /** The measured size is exactly what the project's serde writes. */
    @Property(tries = 300, seed = "20261206")
    void measuresExactlyTheSingleObjectEncoding(
            @ForAll @StringLength(max = 200) String id,
            @ForAll @StringLength(max = 2000) String caption,
            @ForAll @IntRange(max = 10_000) int imageBytes,
            @ForAll @Size(max = 20)
                    Map<@StringLength(max = 20) String, @StringLength(max = 50) String>
                            attributes) {
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
