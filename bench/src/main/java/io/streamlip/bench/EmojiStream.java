package io.streamlip.bench;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.curate.PairCurator;
import io.streamlip.ingest.emoji.EmojiCorpus;
import io.streamlip.ingest.emoji.EmojiData;
import io.streamlip.ingest.pairs.PairsFolder;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Verdict;
import io.streamlip.tokenize.ExampleBuilder;
import io.streamlip.tokenize.TokenizeConfig;
import io.streamlip.trainer.clippo.ClippoRendering;
import io.streamlip.trainer.data.DecodedExample;
import io.streamlip.trainer.data.ExampleDecoder;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.model.ModelConfig;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code examples} stream {@code streamlip demo} trains on, built in memory without Kafka or
 * Flink: the emoji corpus in its import order, each pair curated ({@link PairCurator}), repeats
 * dropped on the filter job's duplicate key, and turned into an example by the tokenize job's own
 * {@link ExampleBuilder} and read back by the trainer's {@link ExampleDecoder}. With parallelism 1
 * the jobs keep the order, so the batches come out as the demo's trainer reads them.
 *
 * <p>Each distinct image is decoded and resized once (the builder's output depends only on the
 * image bytes and the configuration): the corpus pairs every image with up to 16 names.
 */
final class EmojiStream {
    private static final Logger LOG = LoggerFactory.getLogger(EmojiStream.class);

    private static final int FORMAT = 0x454d5301; // "EMS" v1

    private final List<byte[]> images; // uint8 RGB HWC at the image size, by image index
    private final int[] exampleImage;
    private final int[][] exampleTokens;
    private final String[] exampleLang;
    // CLIPPO: each example's caption rendered (uint8 gray H x W), one array per distinct caption;
    // null when the stream is not rendered
    private final byte[][] exampleRendered;
    private final int imageSize;

    // package-private for tests; prepare() and read() make streams
    EmojiStream(
            List<byte[]> images,
            int[] exampleImage,
            int[][] exampleTokens,
            String[] exampleLang,
            byte[][] exampleRendered,
            int imageSize) {
        this.images = images;
        this.exampleImage = exampleImage;
        this.exampleTokens = exampleTokens;
        this.exampleLang = exampleLang;
        this.exampleRendered = exampleRendered;
        this.imageSize = imageSize;
    }

    /**
     * Curates and tokenizes every pair of {@code corpus} into examples at {@code tokenize}'s image
     * size, as the demo's jobs do with the default filter configuration; with {@code
     * tokenize.render()} set (CLIPPO) each caption is also rendered as the tokenize job renders it.
     */
    static EmojiStream prepare(EmojiCorpus corpus, TokenizeConfig tokenize) {
        long start = System.nanoTime();
        PairCurator curator = new PairCurator(FilterConfig.defaults());
        ExampleBuilder builder = new ExampleBuilder(tokenize);
        ExampleDecoder decoder =
                new ExampleDecoder(
                        tokenize.imageSize(),
                        tokenize.tokenizer().vocabSize(),
                        tokenize.tokenizer().version());
        Set<String> seen = new HashSet<>();
        Map<String, Integer> imageBySha = new HashMap<>();
        List<byte[]> images = new ArrayList<>();
        List<Integer> exampleImage = new ArrayList<>();
        List<int[]> exampleTokens = new ArrayList<>();
        List<String> exampleLang = new ArrayList<>();
        boolean render = tokenize.render() != null;
        ClippoRendering rendering = render ? ClippoRendering.open(tokenize.render()) : null;
        Map<String, byte[]> renderedByCaption = new HashMap<>();
        List<byte[]> exampleRendered = new ArrayList<>();
        SortedMap<String, Long> refused = new TreeMap<>();
        Instant now = Instant.now();
        for (Iterator<RawPair> it = corpus.pairs(); it.hasNext(); ) {
            RawPair raw = it.next();
            Verdict<CuratedPair> curated = curator.curate(raw, now);
            if (curated instanceof Verdict.Refused<CuratedPair> r) {
                refused.merge("filter:" + r.reason().code(), 1L, Long::sum);
                continue;
            }
            CuratedPair pair = curated.value();
            if (!seen.add(PairCurator.duplicateKey(pair))) {
                refused.merge("filter:duplicate", 1L, Long::sum);
                continue;
            }
            Integer image = imageBySha.get(pair.getImageSha256());
            int[] tokens;
            if (image == null) {
                Verdict<Example> built = builder.build(pair);
                if (built instanceof Verdict.Refused<Example> r) {
                    refused.merge("tokenize:" + r.reason().code(), 1L, Long::sum);
                    continue;
                }
                DecodedExample decoded;
                try {
                    decoded = decoder.convert(built.value());
                } catch (ExampleDecoder.InvalidExampleException e) {
                    refused.merge("trainer:invalid", 1L, Long::sum);
                    continue;
                }
                image = images.size();
                images.add(decoded.rgb());
                imageBySha.put(pair.getImageSha256(), image);
                tokens = decoded.tokenIds();
                if (render) {
                    renderedByCaption.putIfAbsent(pair.getCaption(), decoded.renderedText());
                }
            } else {
                // What ExampleBuilder.build does with the caption; the image is the same bytes.
                tokens = tokenize.tokenizer().encode(pair.getCaption());
            }
            if (render) {
                // The tokenize job's renderer (same settings and font) on the same caption.
                exampleRendered.add(
                        renderedByCaption.computeIfAbsent(
                                pair.getCaption(), c -> rendering.render(c, tokenize.imageSize())));
            }
            exampleImage.add(image);
            exampleTokens.add(tokens);
            exampleLang.add(pair.getLang());
        }
        LOG.info(
                "emoji stream: {} examples of {} images at {} px (refused {}) in {} ms",
                exampleImage.size(),
                images.size(),
                tokenize.imageSize(),
                refused,
                (System.nanoTime() - start) / 1_000_000);
        return new EmojiStream(
                List.copyOf(images),
                exampleImage.stream().mapToInt(Integer::intValue).toArray(),
                exampleTokens.toArray(int[][]::new),
                exampleLang.toArray(String[]::new),
                render ? exampleRendered.toArray(byte[][]::new) : null,
                tokenize.imageSize());
    }

    /**
     * Writes the stream to {@code file} ({@link #read} reads it back), so that the processes of
     * {@code bench families} prepare each stream once.
     */
    void write(Path file) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try (DataOutputStream out =
                new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(partial)))) {
            out.writeInt(FORMAT);
            out.writeInt(imageSize);
            out.writeInt(images.size());
            for (byte[] image : images) {
                out.writeInt(image.length);
                out.write(image);
            }
            // Renderings are shared between examples of one caption: written once each.
            IdentityHashMap<byte[], Integer> renderIndex = new IdentityHashMap<>();
            List<byte[]> renderings = new ArrayList<>();
            out.writeInt(exampleImage.length);
            for (int e = 0; e < exampleImage.length; e++) {
                out.writeInt(exampleImage[e]);
                out.writeInt(exampleTokens[e].length);
                for (int t : exampleTokens[e]) {
                    out.writeInt(t);
                }
                out.writeBoolean(exampleLang[e] != null);
                if (exampleLang[e] != null) {
                    out.writeUTF(exampleLang[e]);
                }
                int r = -1;
                if (exampleRendered != null) {
                    r =
                            renderIndex.computeIfAbsent(
                                    exampleRendered[e],
                                    k -> {
                                        renderings.add(k);
                                        return renderings.size() - 1;
                                    });
                }
                out.writeInt(r);
            }
            out.writeBoolean(exampleRendered != null);
            out.writeInt(renderings.size());
            for (byte[] r : renderings) {
                out.writeInt(r.length);
                out.write(r);
            }
        }
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Reads a stream {@link #write} wrote. */
    static EmojiStream read(Path file) throws IOException {
        try (DataInputStream in =
                new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != FORMAT) {
                throw new IOException(file + " is not a stream of this version");
            }
            int imageSize = in.readInt();
            List<byte[]> images = new ArrayList<>();
            for (int i = in.readInt(); i > 0; i--) {
                images.add(in.readNBytes(in.readInt()));
            }
            int n = in.readInt();
            int[] exampleImage = new int[n];
            int[][] exampleTokens = new int[n][];
            String[] exampleLang = new String[n];
            int[] renderIndex = new int[n];
            for (int e = 0; e < n; e++) {
                exampleImage[e] = in.readInt();
                exampleTokens[e] = new int[in.readInt()];
                for (int t = 0; t < exampleTokens[e].length; t++) {
                    exampleTokens[e][t] = in.readInt();
                }
                exampleLang[e] = in.readBoolean() ? in.readUTF() : null;
                renderIndex[e] = in.readInt();
            }
            boolean rendered = in.readBoolean();
            byte[][] renderings = new byte[in.readInt()][];
            for (int r = 0; r < renderings.length; r++) {
                renderings[r] = in.readNBytes(in.readInt());
            }
            byte[][] exampleRendered = null;
            if (rendered) {
                exampleRendered = new byte[n][];
                for (int e = 0; e < n; e++) {
                    exampleRendered[e] = renderings[renderIndex[e]];
                }
            }
            return new EmojiStream(
                    List.copyOf(images),
                    exampleImage,
                    exampleTokens,
                    exampleLang,
                    exampleRendered,
                    imageSize);
        }
    }

    /** Whether each example carries its caption rendered (CLIPPO). */
    boolean rendered() {
        return exampleRendered != null;
    }

    /** Examples in the stream. */
    int size() {
        return exampleImage.length;
    }

    /**
     * The stream as consecutive batches of {@code batchSize}, {@code passes} times over (the demo's
     * trainer replays it while its time lasts); a last partial batch of a pass runs into the next
     * pass or is dropped.
     */
    Iterator<TrainingBatch> batches(int batchSize, ModelConfig model, int eosId, int passes) {
        if (model.imageSize() != imageSize) {
            throw new IllegalArgumentException(
                    "the stream holds " + imageSize + " px images, the model takes " + model);
        }
        long total = (long) size() * passes / batchSize;
        return new Iterator<>() {
            private long handedOut;
            private long next; // example position across passes

            @Override
            public boolean hasNext() {
                return handedOut < total;
            }

            @Override
            public TrainingBatch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                List<DecodedExample> batch = new ArrayList<>(batchSize);
                for (int i = 0; i < batchSize; i++, next++) {
                    int e = (int) (next % size());
                    batch.add(
                            new DecodedExample(
                                    null,
                                    exampleLang[e],
                                    images.get(exampleImage[e]),
                                    exampleTokens[e],
                                    exampleRendered == null ? null : exampleRendered[e]));
                }
                handedOut++;
                return TrainingBatch.of(batch, model, eosId, Map.of());
            }
        };
    }

    /**
     * Writes an evaluation set of a training vendor's images for the classes of {@code heldOut} (a
     * pairs folder), with the same texts: how well the model fits the styles it trains on, to set
     * beside the held-out style.
     */
    static long writeTrainingStyleSet(
            EmojiData data, List<String> locales, String vendor, Path heldOut, Path folder) {
        Set<String> classes = new HashSet<>();
        for (PairsFolder.Entry e : PairsFolder.read(heldOut)) {
            classes.add(e.classLabel());
        }
        EmojiCorpus corpus =
                EmojiCorpus.open(
                        data,
                        EmojiCorpus.Config.builder()
                                .vendors(List.of(vendor))
                                .locales(locales)
                                .order(EmojiCorpus.Order.CATALOGUE)
                                .build());
        try (PairsFolder.Writer out = new PairsFolder.Writer(folder)) {
            for (Iterator<RawPair> it = corpus.pairs(); it.hasNext(); ) {
                RawPair raw = it.next();
                String label = raw.getAttributes().get("class");
                if (classes.contains(label)) {
                    String image = out.image(label + ".png", bytes(raw.getImage()));
                    out.add(
                            new PairsFolder.Entry(
                                    image, raw.getAltText(), raw.getLangHint(), label));
                }
            }
            return out.lines();
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
