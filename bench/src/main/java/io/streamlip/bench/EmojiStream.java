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
import io.streamlip.trainer.data.DecodedExample;
import io.streamlip.trainer.data.ExampleDecoder;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.model.ModelConfig;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
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

    private final List<byte[]> images; // uint8 RGB HWC at the image size, by image index
    private final int[] exampleImage;
    private final int[][] exampleTokens;
    private final String[] exampleLang;
    private final int imageSize;

    private EmojiStream(
            List<byte[]> images,
            int[] exampleImage,
            int[][] exampleTokens,
            String[] exampleLang,
            int imageSize) {
        this.images = images;
        this.exampleImage = exampleImage;
        this.exampleTokens = exampleTokens;
        this.exampleLang = exampleLang;
        this.imageSize = imageSize;
    }

    /**
     * Curates and tokenizes every pair of {@code corpus} into examples at {@code tokenize}'s image
     * size, as the demo's jobs do with the default filter configuration.
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
            } else {
                // What ExampleBuilder.build does with the caption; the image is the same bytes.
                tokens = tokenize.tokenizer().encode(pair.getCaption());
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
                tokenize.imageSize());
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
                                    exampleTokens[e]));
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
