package io.streamlip.ingest.importer;

import io.streamlip.platform.kafka.PairProducer;
import io.streamlip.schemas.RawPair;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A source of {@link RawPair}s read from a corpus or a user's dataset: what the app calls to fill
 * the {@code raw-pairs} topic (or to feed the web-noise simulator, which wraps {@link #pairs()}).
 *
 * <p>An importer has already read and checked its index when it is constructed, so it knows how
 * many pairs it will hand over ({@link #expectedPairs()}) and what it leaves out ({@link
 * #skipped()}) before the first pair is sent.
 */
public interface PairImporter {

    /** Short name for logs and progress bars, e.g. {@code emoji} or {@code folder:my-set}. */
    String name();

    /** Pairs {@link #pairs()} yields, known before the import starts; -1 when unknown. */
    long expectedPairs();

    /** Candidates left out, per reason code (see the importer for codes and units). */
    Map<String, Long> skipped();

    /**
     * Input refused so far: what the index check found when the importer was opened plus what the
     * latest {@link #pairs()} iteration could not read (see the importer for its codes).
     */
    default ImportRejects rejected() {
        return ImportRejects.none();
    }

    /**
     * The pairs, in import order, built one at a time as the iterator advances (the corpus is never
     * held as {@code RawPair}s). Each call starts again from the first pair.
     */
    Iterator<RawPair> pairs();

    /**
     * Hands every pair to {@code sink} in order and reports progress after each one.
     *
     * @return what was handed over and what was left out
     */
    default ImportStats importTo(Consumer<? super RawPair> sink, ImportListener listener) {
        ImportStats.Builder stats = ImportStats.builder(name());
        long total = expectedPairs();
        listener.progress(0, total);
        Iterator<RawPair> it = pairs();
        while (it.hasNext()) {
            RawPair pair = it.next();
            sink.accept(pair);
            stats.count(pair);
            listener.progress(stats.pairs(), total);
        }
        return stats.skipped(skipped()).rejected(rejected()).build();
    }

    /**
     * Sends every pair to Kafka through {@code producer}. Sends are asynchronous: the caller
     * flushes or closes the producer to learn that they all landed.
     */
    default ImportStats importTo(PairProducer producer, ImportListener listener) {
        return importTo(producer::send, listener);
    }

    /** This importer cut after its first {@code max} pairs ({@code max <= 0}: no cut). */
    default PairImporter limit(long max) {
        if (max <= 0) {
            return this;
        }
        PairImporter whole = this;
        return new PairImporter() {
            @Override
            public String name() {
                return whole.name();
            }

            @Override
            public long expectedPairs() {
                long all = whole.expectedPairs();
                return all < 0 ? max : Math.min(all, max);
            }

            @Override
            public Map<String, Long> skipped() {
                return whole.skipped();
            }

            @Override
            public ImportRejects rejected() {
                return whole.rejected();
            }

            @Override
            public Iterator<RawPair> pairs() {
                Iterator<RawPair> it = whole.pairs();
                return new Iterator<>() {
                    long handed;

                    @Override
                    public boolean hasNext() {
                        return handed < max && it.hasNext();
                    }

                    @Override
                    public RawPair next() {
                        if (!hasNext()) {
                            throw new java.util.NoSuchElementException();
                        }
                        handed++;
                        return it.next();
                    }
                };
            }
        };
    }
}
