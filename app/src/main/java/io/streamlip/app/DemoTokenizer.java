package io.streamlip.app;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamlip.ingest.importer.PairImporter;
import io.streamlip.schemas.RawPair;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.tokenize.CaptionTokenizer;
import io.streamlip.tokenize.Tokenizers;
import io.streamlip.tokenize.subword.BpeModel;
import io.streamlip.tokenize.subword.BpeTrainer;
import io.streamlip.tokenize.subword.LanguageSample;
import io.streamlip.tokenize.subword.TokenizerJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's tokenizer, ready before the jobs start: the byte tokenizer, a given {@code
 * tokenizer.json}, or ({@code bpe[:VOCAB]}) a byte-level BPE vocabulary trained from the captions
 * the demo is about to import, language-balanced ({@link LanguageSample}), written to {@code
 * OUT/tokenizer.json}. The summary records which one was used and the mean tokens per caption by
 * language, against the byte tokenizer's.
 *
 * @param file the {@code tokenizer.json} the tokenize job encodes with, or null for the bytes
 * @param summary what the demo's {@code summary.json} says of the tokenizer
 */
record DemoTokenizer(Path file, ObjectNode summary) {
    private static final Logger LOG = LoggerFactory.getLogger(DemoTokenizer.class);

    /** The spec prefix that asks for a trained vocabulary. */
    static final String BPE = "bpe";

    /** Where a trained vocabulary is written, under the demo's output folder. */
    static final String FILE = "tokenizer.json";

    /** Long enough that no caption is cut when measuring tokens per caption. */
    private static final int MEASURE_TOKENS = 4096;

    /**
     * Checks {@code spec} without training or reading anything big.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static void check(String spec) {
        if (bpeVocab(spec) != null || spec.equals(Tokenizers.BYTES)) {
            return;
        }
        Tokenizers.load(spec, 2);
    }

    /** VOCAB of {@code bpe[:VOCAB]}, the default size for {@code bpe}, null for other specs. */
    static Integer bpeVocab(String spec) {
        if (spec.equals(BPE)) {
            return BpeTrainer.Config.defaults().vocabSize();
        }
        if (!spec.startsWith(BPE + ":")) {
            return null;
        }
        String value = spec.substring(BPE.length() + 1);
        int vocab;
        try {
            vocab = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bpe:VOCAB needs a number, got '" + value + "'");
        }
        BpeTrainer.Config.builder().vocabSize(vocab).build(); // range check with its message
        return vocab;
    }

    /**
     * The tokenizer {@code spec} names, trained from {@code importer}'s captions when it is {@code
     * bpe[:VOCAB]}.
     */
    static DemoTokenizer prepare(String spec, PairImporter importer, Path out) throws IOException {
        ObjectNode summary = Json.object();
        summary.put("spec", spec);
        Integer vocab = bpeVocab(spec);
        Path file;
        LanguageSample sample;
        BpeTrainer.Config config = BpeTrainer.Config.defaults();
        if (vocab != null) {
            config = config.toBuilder().vocabSize(vocab).build();
            sample = config.newSample();
            long offered = offerCaptions(importer, sample);
            if (sample.texts().isEmpty()) {
                throw new IllegalStateException("no captions to train a tokenizer on");
            }
            LOG.info(
                    "training a {}-token BPE vocabulary from {} of {} captions ({} languages)",
                    vocab,
                    sample.texts().size(),
                    offered,
                    sample.byLanguage().size());
            long start = System.nanoTime();
            BpeModel model = new BpeTrainer(config).train(sample);
            double seconds = (System.nanoTime() - start) / 1e9;
            file = out.resolve(FILE);
            Files.write(file, TokenizerJson.write(model));
            summary.put("captions_read", offered);
            summary.put("captions_sampled", sample.texts().size());
            summary.put("train_seconds", Math.round(seconds * 10) / 10.0);
            LOG.info("tokenizer written to {} ({} s)", file, summary.get("train_seconds"));
        } else if (spec.equals(Tokenizers.BYTES)) {
            file = null;
            sample = null;
        } else {
            file = Path.of(spec).toAbsolutePath();
            if (Files.isDirectory(file)) {
                file =
                        Files.isRegularFile(file.resolve(Tokenizers.FILE))
                                ? file.resolve(Tokenizers.FILE)
                                : file.resolve(Tokenizers.SENTENCEPIECE_FILE);
            }
            // Measured on a sample of the corpus, as for a trained one.
            sample = config.newSample();
            offerCaptions(importer, sample);
        }
        CaptionTokenizer tokenizer =
                Tokenizers.load(file == null ? Tokenizers.BYTES : file.toString(), MEASURE_TOKENS);
        summary.put("version", tokenizer.version());
        summary.put("vocab_size", tokenizer.vocabSize());
        if (file != null) {
            summary.put("file", file.toString());
            summary.set("tokens_per_caption", tokensPerCaption(tokenizer, sample.byLanguage()));
        }
        return new DemoTokenizer(file, summary);
    }

    /** The spec of this tokenizer for {@link Tokenizers#load}. */
    String spec() {
        return file == null ? Tokenizers.BYTES : file.toString();
    }

    private static long offerCaptions(PairImporter importer, LanguageSample sample) {
        long n = 0;
        for (Iterator<RawPair> it = importer.pairs(); it.hasNext(); ) {
            RawPair pair = it.next();
            sample.offer(pair.getLangHint(), pair.getAltText());
            n++;
        }
        return n;
    }

    /**
     * Per language and overall: mean tokens per caption (end of sequence included) with {@code
     * tokenizer} and with the byte tokenizer, over the sample.
     */
    private static ObjectNode tokensPerCaption(
            CaptionTokenizer tokenizer, Map<String, List<String>> byLanguage) {
        ByteTokenizer bytes = new ByteTokenizer(MEASURE_TOKENS);
        ObjectNode out = Json.object();
        long allTokens = 0;
        long allBytes = 0;
        long allCaptions = 0;
        for (Map.Entry<String, List<String>> e : byLanguage.entrySet()) {
            long tokens = 0;
            long byteTokens = 0;
            for (String text : e.getValue()) {
                tokens += tokenizer.encode(text).length;
                byteTokens += bytes.encode(text).length;
            }
            int n = e.getValue().size();
            out.set(e.getKey(), measure(n, tokens, byteTokens));
            allTokens += tokens;
            allBytes += byteTokens;
            allCaptions += n;
        }
        out.set("all", measure(allCaptions, allTokens, allBytes));
        return out;
    }

    private static ObjectNode measure(long captions, long tokens, long byteTokens) {
        ObjectNode m = Json.object();
        m.put("captions", captions);
        m.put("tokens", round(tokens / (double) Math.max(1, captions)));
        m.put("bytes", round(byteTokens / (double) Math.max(1, captions)));
        return m;
    }

    private static double round(double v) {
        return Double.parseDouble(String.format(Locale.ROOT, "%.2f", v));
    }
}
