package io.streamlip.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.config.LanguageConfig;
import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.platform.flink.JobArguments;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Reject;
import io.streamlip.schemas.Verdict;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Language caps over a rolling window: the count, the in-process quota, and the keyed stage. */
class LanguageCapWindowTest {
    private static final Duration MINUTE = Duration.ofMinutes(1);
    private static final long SECOND = 1000;

    @BeforeAll
    static void trustSchemaClasses() {
        // Flink's Avro serializer (the harness copies records with it) instantiates only trusted
        // classes; in a job, decoding the first raw pair trusts them (AvroSerde).
        ClassSecurityValidator.ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
        if (!current.isTrusted(CuratedPair.class)) {
            ClassSecurityValidator.setGlobal(
                    ClassSecurityValidator.composite(
                            current, c -> c.getPackageName().equals("io.streamlip.schemas")));
        }
    }

    @Test
    void aRollingCountForgetsWhatIsOlderThanItsWindow() {
        RollingCount count = new RollingCount(MINUTE); // 60 buckets of a second
        long[] s = null;
        assertThat(count.count(s, 0)).isZero();
        s = count.add(s, 0);
        s = count.add(s, 500);
        s = count.add(s, 30 * SECOND);
        assertThat(count.count(s, 30 * SECOND)).isEqualTo(3);
        // Within the window everything counts; a bucket leaves once the window is past it.
        assertThat(count.count(s, 59 * SECOND + 999)).isEqualTo(3);
        assertThat(count.count(s, 60 * SECOND)).isEqualTo(1);
        assertThat(count.count(s, 89 * SECOND)).isEqualTo(1);
        assertThat(count.count(s, 90 * SECOND)).isZero();
        // Adding after a long gap clears the ring: nothing old comes back.
        s = count.add(s, 10 * 60 * SECOND);
        assertThat(count.count(s, 10 * 60 * SECOND)).isEqualTo(1);
        assertThat(s).hasSize(RollingCount.BUCKETS + 1);
    }

    @Test
    void aClockThatGoesBackDoesNotDropTheCount() {
        RollingCount count = new RollingCount(MINUTE);
        long[] s = count.add(null, 100 * SECOND);
        s = count.add(s, 101 * SECOND);
        // Another machine's clock, 20 s behind: the count stands at the newest bucket.
        assertThat(count.count(s, 81 * SECOND)).isEqualTo(2);
        s = count.add(s, 81 * SECOND);
        assertThat(count.count(s, 101 * SECOND)).isEqualTo(3);
        assertThat(count.count(s, 160 * SECOND)).isEqualTo(2); // bucket 100 left, 101 stays
    }

    @Test
    void aRollingCountMatchesAPlainListOfTimes() {
        RollingCount count = new RollingCount(Duration.ofSeconds(6)); // buckets of 100 ms
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        java.util.ArrayDeque<Long> times = new java.util.ArrayDeque<>();
        long[] s = null;
        long now = 0;
        for (int i = 0; i < 5_000; i++) {
            now += random.nextInt(0, 400);
            long bucketStart = now / 100 * 100;
            // The window at `now` is the 60 buckets ending with now's: [bucketStart - 5900, ...].
            while (!times.isEmpty() && times.peekFirst() < bucketStart - 5_900) {
                times.removeFirst();
            }
            assertThat(count.count(s, now)).as("at %d ms", now).isEqualTo(times.size());
            if (random.nextBoolean()) {
                s = count.add(s, now);
                times.addLast(now);
            }
        }
    }

    @Test
    void aCappedLanguageIsAcceptedAgainOnceTheWindowMovesOn() {
        AtomicLong clock = new AtomicLong(1_000_000);
        LanguageQuota quota =
                new LanguageQuota(
                        LanguageConfig.builder().caps(Map.of("de", 2L)).capWindow(MINUTE).build(),
                        clock::get);
        assertThat(quota.admit("de").accepted()).isTrue();
        assertThat(quota.admit("de").accepted()).isTrue();
        var refused = quota.admit("de");
        assertThat(refused)
                .isInstanceOfSatisfying(
                        Verdict.Refused.class,
                        r ->
                                assertThat(r.detail())
                                        .contains("already has 2 pairs in the last PT1M"));
        assertThat(quota.admit("en").accepted()).as("no cap").isTrue();
        clock.addAndGet(30 * SECOND);
        assertThat(quota.admit("de").accepted()).as("still in the window").isFalse();
        clock.addAndGet(31 * SECOND);
        assertThat(quota.admit("de").accepted()).as("the window moved on").isTrue();
        assertThat(quota.admit("de").accepted()).isTrue();
        assertThat(quota.admit("de").accepted()).isFalse();

        // Without a window (the default) the cap is a lifetime count, as before.
        LanguageQuota lifetime =
                new LanguageQuota(
                        LanguageConfig.builder().caps(Map.of("de", 1L)).build(), clock::get);
        assertThat(lifetime.admit("de").accepted()).isTrue();
        clock.addAndGet(365L * 24 * 3600 * SECOND);
        assertThat(lifetime.admit("de").accepted()).isFalse();
    }

    @Test
    void theKeyedStageReopensACappedLanguageAfterItsWindowAndAfterARestoreOnRocksDb()
            throws Exception {
        LanguageConfig config =
                LanguageConfig.builder().caps(Map.of("de", 2L)).capWindow(MINUTE).build();
        OperatorSubtaskState snapshot;
        try (var harness = harness(config, null)) {
            harness.setProcessingTime(0);
            for (int i = 0; i < 3; i++) {
                harness.processElement(pair("de-" + i, "de"));
            }
            harness.processElement(pair("en-0", "en"));
            assertThat(ids(harness)).containsExactly("de-0", "de-1", "en-0");
            assertThat(rejects(harness))
                    .extracting(r -> r.getReason() + ":" + r.getId())
                    .containsExactly("language_cap:de-2");
            harness.setProcessingTime(30 * SECOND);
            snapshot = harness.snapshot(1, 30 * SECOND);
        }
        // A restarted task goes on counting: the two German pairs of second 0 still fill the cap
        // until the window has moved past them.
        try (var restored = harness(config, snapshot)) {
            restored.setProcessingTime(59 * SECOND);
            restored.processElement(pair("de-3", "de"));
            restored.setProcessingTime(60 * SECOND);
            restored.processElement(pair("de-4", "de"));
            restored.processElement(pair("de-5", "de"));
            restored.processElement(pair("de-6", "de"));
            assertThat(ids(restored)).containsExactly("de-4", "de-5");
            assertThat(rejects(restored)).extracting(Reject::getId).containsExactly("de-3", "de-6");
            assertThat(rejects(restored).get(0).getDetail())
                    .contains("already has 2 pairs in the last PT1M (cap 2)");
        }
    }

    @Test
    void theFilterJobTakesCapsAndTheirWindowFromItsCommandLine() {
        String[] common = {"--bootstrap", "k:9092", "--checkpoint-dir", "file:///tmp/c"};
        JobArguments plain = FilterJob.arguments(common);
        assertThat(FilterJob.config(plain)).isEqualTo(FilterConfig.defaults());
        JobArguments capped =
                FilterJob.arguments(
                        "--bootstrap",
                        "k:9092",
                        "--checkpoint-dir",
                        "file:///tmp/c",
                        "--language-caps",
                        "en=5000, de=2000",
                        "--language-cap-window",
                        "10m");
        LanguageConfig language = FilterJob.config(capped).language();
        assertThat(language.caps()).containsOnly(Map.entry("en", 5000L), Map.entry("de", 2000L));
        assertThat(language.capWindow()).isEqualTo(Duration.ofMinutes(10));
        assertThat(LanguageConfig.parseWindow("PT90S")).isEqualTo(Duration.ofSeconds(90));
        assertThat(LanguageConfig.parseWindow("0")).isZero();
        assertThatThrownBy(
                        () ->
                                FilterJob.config(
                                        FilterJob.arguments(
                                                "--bootstrap",
                                                "k:9092",
                                                "--checkpoint-dir",
                                                "file:///tmp/c",
                                                "--language-caps",
                                                "en:5")))
                .hasMessageContaining("--language-caps")
                .hasMessageContaining("LANG=N, not 'en:5'");
        assertThatThrownBy(() -> LanguageConfig.parseWindow("ten minutes"))
                .hasMessageContaining("not 'ten minutes'");
        assertThatThrownBy(() -> LanguageConfig.builder().capWindow(Duration.ofMillis(10)).build())
                .hasMessageContaining("capWindow must be 0 (lifetime) or between 1 s");
        assertThatThrownBy(() -> LanguageConfig.builder().caps(Map.of("de", 0L)).build())
                .hasMessageContaining("cap of de must be positive");
    }

    @Test
    void aShareCapKeepsALanguageToItsShareOfTheWindowAndSurvivesARestore() throws Exception {
        LanguageConfig.CapSpec spec = LanguageConfig.parseCapSpec("en=50%, de=3");
        assertThat(spec.shares()).containsOnly(Map.entry("en", 0.5));
        assertThat(spec.counts()).containsOnly(Map.entry("de", 3L));
        LanguageConfig config =
                LanguageConfig.builder()
                        .caps(spec.counts())
                        .capShares(spec.shares())
                        .capWindow(MINUTE)
                        .build();
        OperatorSubtaskState snapshot;
        try (var harness = shareHarness(config, null)) {
            harness.setProcessingTime(0);
            // Below SHARE_MIN_PAIRS accepted pairs, a share refuses nothing.
            for (int i = 0; i < LanguageConfig.SHARE_MIN_PAIRS; i++) {
                harness.processElement(pair("en-" + i, "en"));
            }
            assertThat(ids(harness)).hasSize((int) LanguageConfig.SHARE_MIN_PAIRS);
            // Now English holds 100 of 100: it waits for other languages to make room.
            harness.processElement(pair("en-x", "en"));
            assertThat(rejects(harness)).extracting(Reject::getId).containsExactly("en-x");
            assertThat(rejects(harness).get(0).getDetail())
                    .contains("already has 100 of 100 pairs in the last PT1M (cap 50.0%)");
            for (int i = 0; i < 120; i++) {
                harness.processElement(pair("fr-" + i, "fr"));
                harness.processElement(pair("en-y" + i, "en"));
            }
            for (int i = 0; i < 5; i++) {
                harness.processElement(pair("de-" + i, "de")); // the count cap, same stage
            }
            List<String> kept = ids(harness);
            long en = kept.stream().filter(id -> id.startsWith("en")).count();
            assertThat(en)
                    .as("English at most half of what passed")
                    .isLessThanOrEqualTo(kept.size() / 2 + 1);
            assertThat(en).as("and at its share once others arrive").isGreaterThan(110);
            assertThat(kept.stream().filter(id -> id.startsWith("fr"))).hasSize(120);
            assertThat(kept.stream().filter(id -> id.startsWith("de"))).hasSize(3);
            snapshot = harness.snapshot(1, 0);
        }
        try (var restored = shareHarness(config, snapshot)) {
            restored.setProcessingTime(1000);
            // The counts came back: English is at its share, so most of ten more are refused (a
            // fresh stage, below SHARE_MIN_PAIRS, would take all ten).
            for (int i = 0; i < 10; i++) {
                restored.processElement(pair("en-after-" + i, "en"));
            }
            assertThat(rejects(restored)).hasSizeGreaterThan(5);
            // the window moves past everything: English starts over
            restored.setProcessingTime(2 * 60 * SECOND);
            restored.processElement(pair("en-later", "en"));
            assertThat(ids(restored)).endsWith("en-later");
        }
        assertThatThrownBy(
                        () ->
                                LanguageConfig.builder()
                                        .caps(Map.of("en", 5L))
                                        .capShares(Map.of("en", 0.5))
                                        .build())
                .hasMessageContaining("both a count cap and a share cap");
        assertThatThrownBy(() -> LanguageConfig.parseCapSpec("en=half%"))
                .hasMessageContaining("the share of en is not a number");
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, CuratedPair, CuratedPair>
            shareHarness(LanguageConfig config, OperatorSubtaskState state) throws Exception {
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new LanguageShareFunction(config)),
                        (CuratedPair p) -> LanguageShareFunction.KEY,
                        Types.STRING);
        harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        harness.setup(
                EnvelopeStage.avroType(CuratedPair.class)
                        .createSerializer(new SerializerConfigImpl()));
        if (state != null) {
            harness.initializeState(state);
        }
        harness.open();
        return harness;
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, CuratedPair, CuratedPair> harness(
            LanguageConfig config, OperatorSubtaskState state) throws Exception {
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new LanguageCapFunction(config)),
                        LanguageCapFunction::languageOf,
                        Types.STRING);
        harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        harness.setup(
                EnvelopeStage.avroType(CuratedPair.class)
                        .createSerializer(new SerializerConfigImpl()));
        if (state != null) {
            harness.initializeState(state);
        }
        harness.open();
        return harness;
    }

    private static StreamRecord<CuratedPair> pair(String id, String lang) {
        RawPair raw =
                RawPair.newBuilder()
                        .setId(id)
                        .setImage(ByteBuffer.wrap(new byte[] {1}))
                        .setAltText("caption " + id)
                        .setSource("test")
                        .setCrawlTime(Instant.EPOCH)
                        .build();
        return new StreamRecord<>(
                CuratedPair.newBuilder()
                        .setPair(raw)
                        .setCaption("caption " + id)
                        .setLang(lang)
                        .setImageFormat("png")
                        .setImageWidth(1)
                        .setImageHeight(1)
                        .setImageSha256("00")
                        .setCuratedTime(Instant.EPOCH)
                        .build());
    }

    private static List<String> ids(
            KeyedOneInputStreamOperatorTestHarness<String, CuratedPair, CuratedPair> harness) {
        return harness.extractOutputValues().stream().map(p -> p.getPair().getId()).toList();
    }

    private static List<Reject> rejects(
            KeyedOneInputStreamOperatorTestHarness<String, CuratedPair, CuratedPair> harness) {
        return harness.getSideOutput(EnvelopeStage.rejects(FilterJob.STAGE)).stream()
                .map(StreamRecord::getValue)
                .toList();
    }
}
