package io.streamlip.ingest.synthetic;

import io.streamlip.ingest.importer.PairImporter;
import io.streamlip.schemas.RawPair;
import java.util.Iterator;
import java.util.Map;

/** {@link SyntheticPairs} as an importer: the data source of a machine without the emoji corpus. */
public final class SyntheticImporter implements PairImporter {
    private final SyntheticPairs pairs;
    private final long count;
    private final long seed;

    /**
     * @param imageSize side of the generated PNGs
     * @param count pairs to generate
     * @param seed fixes every image and caption
     */
    public SyntheticImporter(int imageSize, long count, long seed) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative, got " + count);
        }
        this.pairs = new SyntheticPairs(imageSize);
        this.count = count;
        this.seed = seed;
    }

    @Override
    public String name() {
        return "synthetic";
    }

    @Override
    public long expectedPairs() {
        return count;
    }

    @Override
    public Map<String, Long> skipped() {
        return Map.of();
    }

    @Override
    public Iterator<RawPair> pairs() {
        return pairs.pairs(count, seed);
    }
}
