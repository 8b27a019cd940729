package io.streamlip.trainer.data;

/**
 * The language mix: keeps an example of language {@code L} with probability {@link
 * ShuffleConfig#keepProbability} ({@code w(L) / max w}) and counts the ones it passes over. It
 * draws from the trainer's generator only for a probability below one, so a stream without weights
 * (or of the heaviest language) leaves the generator, and thus the shuffle, as it was.
 */
final class LanguageSampler {
    private final ShuffleConfig shuffle;
    private final StreamRandom random;
    private long sampledOut;

    LanguageSampler(ShuffleConfig shuffle, StreamRandom random) {
        this.shuffle = shuffle;
        this.random = random;
    }

    /** Whether to keep an example of {@code lang} (null: unknown); counted when not. */
    boolean keep(String lang) {
        double keep = shuffle.keepProbability(lang);
        if (keep < 1.0 && random.nextDouble() >= keep) {
            sampledOut++;
            return false;
        }
        return true;
    }

    /** Examples passed over so far. */
    long sampledOut() {
        return sampledOut;
    }
}
