package io.streamlip.bench;

import io.streamlip.ingest.emoji.EmojiCorpus;
import io.streamlip.ingest.emoji.EmojiData;
import io.streamlip.schemas.RawPair;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.tokenize.CaptionTokenizer;
import io.streamlip.tokenize.render.BitmapFont;
import io.streamlip.tokenize.render.TextRenderConfig;
import io.streamlip.tokenize.render.TextRenderer;
import io.streamlip.tokenize.subword.BpeModel;
import io.streamlip.tokenize.subword.BpeTrainer;
import io.streamlip.tokenize.subword.LanguageSample;
import io.streamlip.tokenize.subword.SubwordTokenizer;
import io.streamlip.tokenize.subword.TokenizerJson;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code streamlip bench tokenizer}: the subword tokenizer against the byte tokenizer on the demo's
 * captions (the emoji x CLDR names of the demo's 16 languages), and CLIPPO rendering.
 *
 * <p>Trains a BPE vocabulary on the names and keyword lists of 4 in 5 emoji in the demo's languages
 * (capped per language), then on the names of the fifth (held out; names are what the demo trains
 * on) measures tokens per caption by language for both tokenizers, encode speed on one thread for
 * the Java encoder, the DJL binding and the byte tokenizer, and train time. With a Unifont file
 * ({@link BitmapFont#locate}) it also measures render speed at 224 and 32 px and, per language, the
 * fraction of the captions' non-space code points the font has a glyph for. A full run uses 8,192
 * tokens and every caption; {@code --quick} 2,048 tokens on 4 languages.
 */
public final class TokenizerBenchmark implements Benchmark {
    private static final Logger LOG = LoggerFactory.getLogger(TokenizerBenchmark.class);

    /** Context length of the demo's model: the figures use the same cut. */
    static final int MAX_TOKENS = 32;

    /** One emoji in this many is held out of the tokenizer's training text. */
    static final int HELD_OUT = 5;

    private final Path dataDir;

    public TokenizerBenchmark() {
        this(Path.of(System.getProperty("streamlip.data", "data")));
    }

    public TokenizerBenchmark(Path dataDir) {
        this.dataDir = dataDir;
    }

    @Override
    public String name() {
        return "tokenizer";
    }

    @Override
    public String description() {
        return "subword (BPE) vs byte tokenizer on the demo's 16 languages: vocabulary, tokens per"
                + " caption, encode speed (Java, DJL), train time; CLIPPO render speed and font"
                + " coverage";
    }

    @Override
    public BenchResult run(BenchOptions options) throws Exception {
        EmojiData data = EmojiData.at(dataDir);
        List<String> languages =
                options.quick()
                        ? EmojiLearningBenchmark.QUICK_LANGUAGES
                        : EmojiLearningBenchmark.DEMO_LANGUAGES;
        int vocabSize = options.quick() ? 2048 : 8192;
        List<EmojiData.NpmPackage> needed =
                List.of(
                        EmojiData.vendorPackage("google"),
                        EmojiData.CLDR_ANNOTATIONS,
                        EmojiData.CLDR_ANNOTATIONS_DERIVED);
        if (data.missing().stream().anyMatch(needed::contains)) {
            String why =
                    "skipped: the emoji corpus is not in "
                            + dataDir.toAbsolutePath()
                            + " (missing "
                            + data.missing().stream()
                                    .map(EmojiData.NpmPackage::tarballName)
                                    .toList()
                            + "); fetch it with `npm pack` as the demo does, or set"
                            + " -Dstreamlip.data=DIR";
            LOG.warn(why);
            return new BenchResult("tokenizer", List.of("status"))
                    .row("skipped")
                    .put("skipped", true)
                    .put("reason", why)
                    .note(why);
        }

        // Training text: names and keyword lists of 4 in 5 emoji, balanced across languages; the
        // figures are measured on the names of the fifth, which the tokenizer never saw.
        BpeTrainer.Config trainConfig = BpeTrainer.Config.builder().vocabSize(vocabSize).build();
        LanguageSample sample = trainConfig.newSample();
        Map<String, List<String>> captions = new TreeMap<>();
        long offered = split(data, languages, sample, captions);
        long trainStart = System.nanoTime();
        BpeModel model = new BpeTrainer(trainConfig).train(sample);
        double trainSeconds = (System.nanoTime() - trainStart) / 1e9;
        byte[] json = TokenizerJson.write(model);

        List<String> all = new ArrayList<>();
        captions.values().forEach(all::addAll);
        SubwordTokenizer javaEncoder =
                SubwordTokenizer.of(json, MAX_TOKENS, SubwordTokenizer.Engine.JAVA);
        SubwordTokenizer djl = SubwordTokenizer.of(json, MAX_TOKENS, SubwordTokenizer.Engine.DJL);
        ByteTokenizer bytes = new ByteTokenizer(MAX_TOKENS);
        SubwordTokenizer uncut = SubwordTokenizer.of(json, 100_000, SubwordTokenizer.Engine.JAVA);
        ByteTokenizer bytesUncut = new ByteTokenizer(100_000);

        double seconds = options.quick() ? 0.5 : 2.0;
        double javaRate = rate(javaEncoder, all, seconds);
        double djlRate = rate(djl, all, seconds);
        double byteRate = rate(bytes, all, seconds);
        djl.close();

        Path fontFile = BitmapFont.locate(dataDir);
        BitmapFont font = fontFile == null ? null : BitmapFont.read(fontFile);
        TextRenderer renderer =
                font == null
                        ? null
                        : new TextRenderer(font, TextRenderConfig.defaults(fontFile.toString()));

        BenchResult result =
                new BenchResult(
                        "tokenizer: BPE "
                                + model.vocabSize()
                                + " vs bytes on held-out emoji x CLDR names (the demo's captions)",
                        List.of(
                                "lang",
                                "captions",
                                "byte tok/cap",
                                "bpe tok/cap",
                                "bpe/byte",
                                "cut at " + MAX_TOKENS + " (byte)",
                                "cut (bpe)",
                                "font coverage"));
        Map<String, Object> byLanguage = new LinkedHashMap<>();
        long totalByte = 0;
        long totalBpe = 0;
        for (Map.Entry<String, List<String>> e : captions.entrySet()) {
            long b = 0;
            long s = 0;
            int cutB = 0;
            int cutS = 0;
            long covered = 0;
            long shown = 0;
            for (String caption : e.getValue()) {
                int nb = bytesUncut.encode(caption).length;
                int ns = uncut.encode(caption).length;
                b += nb;
                s += ns;
                cutB += nb > MAX_TOKENS ? 1 : 0;
                cutS += ns > MAX_TOKENS ? 1 : 0;
                if (font != null) {
                    for (int cp : caption.codePoints().toArray()) {
                        if (!Character.isWhitespace(cp)) {
                            shown++;
                            covered += font.covers(cp) ? 1 : 0;
                        }
                    }
                }
            }
            totalByte += b;
            totalBpe += s;
            int n = e.getValue().size();
            double coverage = font == null || shown == 0 ? Double.NaN : (double) covered / shown;
            result.row(
                    e.getKey(),
                    n,
                    (double) b / n,
                    (double) s / n,
                    (double) s / b,
                    (double) cutB / n,
                    (double) cutS / n,
                    font == null ? "no font" : coverage);
            Map<String, Object> lang = new LinkedHashMap<>();
            lang.put("captions", n);
            lang.put("byte_tokens_per_caption", (double) b / n);
            lang.put("bpe_tokens_per_caption", (double) s / n);
            lang.put("byte_cut_fraction", (double) cutB / n);
            lang.put("bpe_cut_fraction", (double) cutS / n);
            if (font != null) {
                lang.put("font_coverage", coverage);
            }
            byLanguage.put(e.getKey(), lang);
        }
        result.row(
                "all",
                all.size(),
                (double) totalByte / all.size(),
                (double) totalBpe / all.size(),
                (double) totalBpe / totalByte,
                "",
                "",
                "");

        result.put("vocab_size", model.vocabSize())
                .put("merges", model.merges().size())
                .put("tokenizer_version", javaEncoder.version())
                .put("training_captions_offered", offered)
                .put("training_captions_sampled", sample.texts().size())
                .put("train_seconds", trainSeconds)
                .put("encode_captions_per_s_java", javaRate)
                .put("encode_captions_per_s_djl", djlRate)
                .put("encode_captions_per_s_bytes", byteRate)
                .put("languages", byLanguage);
        result.note(
                String.format(
                        Locale.ROOT,
                        "vocab %d (%d merges), trained in %.1f s on %d of %d captions (names +"
                                + " keyword lists of 4 in 5 emoji, at most %d per language);"
                                + " figures on the names of the other emoji",
                        model.vocabSize(),
                        model.merges().size(),
                        trainSeconds,
                        sample.texts().size(),
                        offered,
                        trainConfig.capPerLanguage()));
        result.note(
                String.format(
                        Locale.ROOT,
                        "encode, 1 thread, captions/s: Java encoder %.0f, DJL (HF tokenizers)"
                                + " %.0f, bytes %.0f",
                        javaRate,
                        djlRate,
                        byteRate));
        if (renderer != null) {
            double render224 = renderRate(renderer, all, 224, seconds);
            double render32 = renderRate(renderer, all, 32, seconds);
            result.put("font", fontFile.toString())
                    .put("font_glyphs", font.size())
                    .put("render_captions_per_s_224", render224)
                    .put("render_captions_per_s_32", render32);
            result.note(
                    String.format(
                            Locale.ROOT,
                            "CLIPPO render, 1 thread, captions/s: %.0f at 224 px, %.0f at 32 px;"
                                    + " font %s (%d glyphs)",
                            render224,
                            render32,
                            fontFile,
                            font.size()));
        } else {
            result.note(
                    "no Unifont file found (data/unifont/unifont.hex[.gz], STREAMLIP_FONT, or"
                            + " Debian's unifont package): render speed and coverage not measured");
        }
        result.note(
                "tok/cap includes the end-of-sequence token; cut = captions longer than the"
                        + " demo's context length");
        return result;
    }

    /**
     * Reads the names and keyword lists of {@code languages} (one vendor: the texts are the same
     * for each) and splits them by emoji: one emoji in five ({@link #HELD_OUT}) is held out, its
     * names (what the demo trains on) go to {@code heldOutNames} by language; everything of the
     * others is offered to {@code training}. Returns how many texts were offered.
     */
    private static long split(
            EmojiData data,
            List<String> languages,
            LanguageSample training,
            Map<String, List<String>> heldOutNames) {
        EmojiCorpus corpus =
                EmojiCorpus.open(
                        data,
                        EmojiCorpus.Config.builder()
                                .vendors(List.of("google"))
                                .locales(languages)
                                .keywordPairs(true)
                                .order(EmojiCorpus.Order.CATALOGUE)
                                .build());
        long offered = 0;
        for (Iterator<RawPair> it = corpus.pairs(); it.hasNext(); ) {
            RawPair pair = it.next();
            String emoji = pair.getAttributes().getOrDefault("class", pair.getId());
            if (Math.floorMod(emoji.hashCode(), HELD_OUT) == 0) {
                if (!pair.getAltText().contains(EmojiCorpus.KEYWORD_SEPARATOR)) {
                    heldOutNames
                            .computeIfAbsent(pair.getLangHint(), k -> new ArrayList<>())
                            .add(pair.getAltText());
                }
            } else {
                training.offer(pair.getLangHint(), pair.getAltText());
                offered++;
            }
        }
        return offered;
    }

    /** Captions per second over repeated passes after one warm-up pass. */
    private static double rate(CaptionTokenizer tokenizer, List<String> captions, double seconds) {
        long sink = 0;
        for (String c : captions) {
            sink += tokenizer.encode(c).length;
        }
        long n = 0;
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        do {
            for (String c : captions) {
                sink += tokenizer.encode(c).length;
            }
            n += captions.size();
        } while (System.nanoTime() < deadline);
        double rate = n / ((System.nanoTime() - start) / 1e9);
        LOG.info("{}: {} captions/s (checksum {})", tokenizer.version(), (long) rate, sink);
        return rate;
    }

    private static double renderRate(
            TextRenderer renderer, List<String> captions, int size, double seconds) {
        long sink = 0;
        long n = 0;
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        do {
            for (String c : captions) {
                sink += renderer.render(c, size).pixels()[0];
                n++;
            }
        } while (System.nanoTime() < deadline);
        LOG.debug("render checksum {}", sink);
        return n / ((System.nanoTime() - start) / 1e9);
    }
}
