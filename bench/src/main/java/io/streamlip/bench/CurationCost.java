package io.streamlip.bench;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.curate.CaptionCheck;
import io.streamlip.filter.curate.DuplicateKey;
import io.streamlip.filter.curate.LanguageCheck;
import io.streamlip.filter.curate.PairCurator;
import io.streamlip.filter.curate.PerceptualHash;
import io.streamlip.filter.curate.TextQuality;
import io.streamlip.platform.image.Images;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Verdict;
import io.streamlip.tokenize.ExampleBuilder;
import io.streamlip.tokenize.ImagePreprocessor;
import io.streamlip.tokenize.TokenizeConfig;
import java.awt.image.BufferedImage;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-record cost of the plain curation and example-building classes, step by step, on one
 * thread: where a record's time goes between the caption checks, Lingua, the header, the decode,
 * the perceptual hash and thumbnail, the resize and the tokenizer.
 *
 * <p>Each step runs alone over every pair ({@link #passes} times, the cheapest pass counts, after a
 * whole untimed round of every step), timed in the CPU time of the thread and of the common
 * fork-join pool's workers (where Lingua scores part of a caption's n-gram sizes), so that other
 * processes on the machine inflate the figures less than they would wall-clock time. The steps
 * overlap the totals ({@code curate} runs the caption checks, header, decode, hash and language;
 * {@code build} the header, decode, resize and tokenizer); the pairs are taken as the filter would
 * see them: a pair the curator refuses is left out of the image steps and of {@code build}.
 *
 * @param passes timed passes over the pairs per step (after one untimed warm-up pass)
 */
public record CurationCost(int passes) {

    public CurationCost {
        if (passes < 1) {
            throw new IllegalArgumentException("passes must be positive, got " + passes);
        }
    }

    /** Three passes. */
    public static CurationCost defaults() {
        return new CurationCost(3);
    }

    /** One step's cost. */
    public record Step(String name, String what, double microsPerRecord) {}

    private interface Work {
        void run(int index) throws Exception;
    }

    /**
     * Microseconds of CPU per record for each step, in pipeline order, then the totals: {@code
     * curate}, {@code build}, {@code curate+build} and {@code decode+resize} (the datapath
     * benchmark's limit).
     */
    public List<Step> measure(List<RawPair> pairs, FilterConfig filter, TokenizeConfig tokenize)
            throws Exception {
        PairCurator curator = PairCurator.withoutEvalSets(filter);
        ExampleBuilder builder = new ExampleBuilder(tokenize);
        builder.open();
        List<RawPair> kept = new ArrayList<>();
        List<CuratedPair> curated = new ArrayList<>();
        for (RawPair pair : pairs) {
            Verdict<CuratedPair> verdict = curator.curate(pair, Instant.now());
            if (verdict.accepted()) {
                kept.add(pair);
                curated.add(verdict.value());
            }
        }
        if (kept.isEmpty()) {
            throw new IllegalArgumentException(
                    "the curator refused all " + pairs.size() + " pairs");
        }
        int n = kept.size();
        byte[][] bytes = new byte[n][];
        BufferedImage[] images = new BufferedImage[n];
        String[] captions = new String[n];
        for (int i = 0; i < n; i++) {
            bytes[i] = bytes(kept.get(i).getImage());
            images[i] = Images.decode(bytes[i]);
            captions[i] = curated.get(i).getCaption();
        }
        CaptionCheck captionCheck = new CaptionCheck(filter);
        TextQuality text = new TextQuality(filter.text());
        LanguageCheck language = new LanguageCheck(filter.language());
        ImagePreprocessor preprocessor = new ImagePreprocessor(tokenize.imageSize());

        List<Step> steps = new ArrayList<>();
        // Two rounds, the first untimed: under load the JIT's second tier can take thousands of
        // calls to compile a step (the hash was 7x slower for its first 12,000 calls here).
        for (int round = 0; round < 2; round++) {
            steps = new ArrayList<>();
            steps.add(
                    step(
                            "caption",
                            "NFC, bounds, encoding, boilerplate",
                            n,
                            i -> {
                                String raw = kept.get(i).getAltText();
                                text.checkEncoding(raw, null);
                                text.check(captionCheck.check(raw).value());
                            }));
            steps.add(
                    step(
                            "language",
                            "script test, Lingua",
                            n,
                            i -> language.check(captions[i], kept.get(i).getLangHint())));
            steps.add(step("header", "Images.probe", n, i -> Images.probe(bytes[i])));
            steps.add(step("decode", "Images.decode", n, i -> Images.decode(bytes[i])));
            steps.add(
                    step(
                            "fingerprint",
                            "pHash + thumbnail",
                            n,
                            i -> PerceptualHash.fingerprint(images[i])));
            steps.add(
                    step("sha256", "image content hash", n, i -> DuplicateKey.sha256Hex(bytes[i])));
            steps.add(
                    step(
                            "resize",
                            "to " + tokenize.imageSize() + " px RGB",
                            n,
                            i -> preprocessor.toRgb(images[i])));
            steps.add(
                    step(
                            "tokenize",
                            "caption to ids",
                            n,
                            i -> builder.tokenizer().encode(captions[i])));
            Step curate =
                    step(
                            "curate",
                            "PairCurator, all of it",
                            n,
                            i -> curator.curate(kept.get(i), Instant.now()));
            Step build =
                    step(
                            "build",
                            "ExampleBuilder, all of it",
                            n,
                            i -> builder.build(curated.get(i)));
            steps.add(curate);
            steps.add(build);
            steps.add(
                    new Step(
                            "curate+build",
                            "one record through both",
                            curate.microsPerRecord() + build.microsPerRecord()));
            steps.add(
                    step(
                            "decode+resize",
                            "the datapath limit",
                            n,
                            i -> preprocessor.process(bytes[i])));
        }
        builder.close();
        return steps;
    }

    /** The steps as a name to microseconds map, for JSON. */
    public static Map<String, Double> asMap(List<Step> steps) {
        Map<String, Double> out = new LinkedHashMap<>();
        steps.forEach(s -> out.put(s.name(), s.microsPerRecord()));
        return out;
    }

    private Step step(String name, String what, int n, Work work) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double best = Double.MAX_VALUE;
        for (int pass = 0; pass <= passes; pass++) {
            // The pool's workers run part of Lingua's scoring for this thread.
            long start = threads.getCurrentThreadCpuTime() + ThreadCpu.commonPoolNanos();
            for (int i = 0; i < n; i++) {
                work.run(i);
            }
            long end = threads.getCurrentThreadCpuTime() + ThreadCpu.commonPoolNanos();
            double micros = (end - start) / 1e3 / n;
            if (pass > 0) { // pass 0 warms the JIT up
                best = Math.min(best, micros);
            }
        }
        return new Step(name, what, best);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
