package io.streamlip.ingest.noise;

import io.streamlip.schemas.RawPair;
import java.util.Objects;

/**
 * One pair the simulator emits, with its ground truth.
 *
 * @param pair what goes to {@code raw-pairs}
 * @param kind what the simulator did ({@link NoiseKind#CLEAN} for an untouched source pair)
 * @param origin id of the source pair it was made from; null when it owes nothing to one
 */
public record NoisyPair(RawPair pair, NoiseKind kind, String origin) {
    public NoisyPair {
        Objects.requireNonNull(pair, "pair");
        Objects.requireNonNull(kind, "kind");
    }
}
