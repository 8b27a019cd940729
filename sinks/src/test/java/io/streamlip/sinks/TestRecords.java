package io.streamlip.sinks;

import io.streamlip.platform.image.TestImages;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.RawPair;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** Curated pairs for the sink tests, and a tar reader. */
public final class TestRecords {
    private static final byte[] PNG = TestImages.png(8, 8);
    private static final byte[] JPEG = TestImages.jpeg(8, 8);

    private TestRecords() {}

    /** Pair {@code i}: id {@code pair.i} (a dot, which keys must not carry), PNG when i is even. */
    public static CuratedPair curated(int i) {
        boolean png = i % 2 == 0;
        RawPair raw =
                RawPair.newBuilder()
                        .setId("pair." + i)
                        .setImage(ByteBuffer.wrap(png ? PNG : JPEG))
                        .setAltText("caption  " + i)
                        .setSource("test")
                        .setCrawlTime(Instant.ofEpochMilli(1_700_000_000_000L + i))
                        .build();
        return CuratedPair.newBuilder()
                .setPair(raw)
                .setCaption("caption " + i + " ünïcødé")
                .setLang("en")
                .setLangConfidence(0.5f)
                .setImageFormat(png ? "png" : "jpeg")
                .setImageWidth(8)
                .setImageHeight(8)
                .setImageSha256("00")
                .setCrossmodalScore(i == 3 ? 0.25f : null)
                .setModelVersion(i == 3 ? "run/step-1" : null)
                .setCuratedTime(Instant.ofEpochMilli(1_700_000_000_000L))
                .build();
    }

    public static List<CuratedPair> curated(int from, int to) {
        List<CuratedPair> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(curated(i));
        }
        return out;
    }

    /** A tar member: its header and content. */
    public record Member(TarArchiveEntry entry, byte[] content) {
        public String name() {
            return entry.getName();
        }

        public String text() {
            return new String(content, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** Every member of a tar, in order (what {@code tar -tvf} lists). */
    public static List<Member> readTar(Path tar) throws IOException {
        List<Member> out = new ArrayList<>();
        try (InputStream file = Files.newInputStream(tar);
                TarArchiveInputStream in = new TarArchiveInputStream(file)) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                ByteArrayOutputStream content = new ByteArrayOutputStream();
                in.transferTo(content);
                out.add(new Member(e, content.toByteArray()));
            }
        }
        return out;
    }

    public static byte[] png() {
        return PNG.clone();
    }

    public static byte[] jpeg() {
        return JPEG.clone();
    }
}
