package io.streamlip.ingest.noise;

import io.streamlip.ingest.importer.ImportRejects;
import io.streamlip.ingest.importer.PairImporter;
import io.streamlip.schemas.RawPair;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An importer whose pairs pass through the {@link NoiseSimulator}: the clean importer's pairs in
 * order, with noise injected after them at the configured rates, and a count per {@link NoiseKind}
 * of what the latest {@link #pairs()} iteration emitted ({@link #emitted()}), readable from another
 * thread while it runs. {@link #expectedPairs()} is unknown (-1), since the injection is random.
 * The kind of each injected pair is remembered by pair id ({@link #injectedKind}), up to {@link
 * #MAX_TRACKED} pairs, so that what the filters did to them can be told apart afterwards.
 */
public final class NoisyImporter implements PairImporter {
    private final PairImporter clean;
    private final NoiseSimulator simulator;

    /** Most injected pairs whose kind is remembered by id (about 100 bytes each). */
    public static final int MAX_TRACKED = 500_000;

    private final Map<NoiseKind, AtomicLong> emitted = new EnumMap<>(NoiseKind.class);
    private final Map<String, NoiseKind> injectedById = new ConcurrentHashMap<>();
    private final AtomicLong untracked = new AtomicLong();

    public NoisyImporter(PairImporter clean, NoiseSimulator simulator) {
        this.clean = Objects.requireNonNull(clean, "clean");
        this.simulator = Objects.requireNonNull(simulator, "simulator");
        for (NoiseKind kind : NoiseKind.values()) {
            emitted.put(kind, new AtomicLong());
        }
    }

    @Override
    public String name() {
        return clean.name();
    }

    @Override
    public long expectedPairs() {
        return -1;
    }

    @Override
    public Map<String, Long> skipped() {
        return clean.skipped();
    }

    @Override
    public ImportRejects rejected() {
        return clean.rejected();
    }

    /** The simulator's settings. */
    public NoiseConfig config() {
        return simulator.config();
    }

    /** Starts a new iteration: the counts restart at zero. */
    @Override
    public Iterator<RawPair> pairs() {
        emitted.values().forEach(c -> c.set(0));
        injectedById.clear();
        untracked.set(0);
        Iterator<NoisyPair> noisy = simulator.wrap(clean.pairs());
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return noisy.hasNext();
            }

            @Override
            public RawPair next() {
                NoisyPair p = noisy.next();
                emitted.get(p.kind()).incrementAndGet();
                if (p.kind() != NoiseKind.CLEAN && p.kind() != NoiseKind.SOURCE_DUPLICATE) {
                    if (injectedById.size() < MAX_TRACKED) {
                        injectedById.put(p.pair().getId().toString(), p.kind());
                    } else {
                        untracked.incrementAndGet();
                    }
                }
                return p.pair();
            }
        };
    }

    /**
     * Pairs the latest iteration emitted so far, by {@link NoiseKind#code()}, in the kinds' order:
     * {@code clean} and {@code source_duplicate} (the source's own pairs) always, each injected
     * kind whose rate is positive or that was emitted.
     */
    public Map<String, Long> emitted() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Map.Entry<NoiseKind, AtomicLong> e : emitted.entrySet()) {
            NoiseKind kind = e.getKey();
            long n = e.getValue().get();
            boolean source = kind == NoiseKind.CLEAN || kind == NoiseKind.SOURCE_DUPLICATE;
            if (source || n > 0 || simulator.config().rate(kind) > 0) {
                out.put(kind.code(), n);
            }
        }
        return out;
    }

    /** Injected pairs the latest iteration emitted so far (all kinds but the source's own). */
    public long injected() {
        long n = 0;
        for (Map.Entry<NoiseKind, AtomicLong> e : emitted.entrySet()) {
            if (e.getKey() != NoiseKind.CLEAN && e.getKey() != NoiseKind.SOURCE_DUPLICATE) {
                n += e.getValue().get();
            }
        }
        return n;
    }

    /**
     * The kind of the injected pair with this id in the latest iteration; null for the source's own
     * pairs, unknown ids and injected pairs past {@link #MAX_TRACKED}.
     */
    public NoiseKind injectedKind(String pairId) {
        return pairId == null ? null : injectedById.get(pairId);
    }

    /** Injected pairs of the latest iteration whose kind was not remembered (past the bound). */
    public long untracked() {
        return untracked.get();
    }
}
