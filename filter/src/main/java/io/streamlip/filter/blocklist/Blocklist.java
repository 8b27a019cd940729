package io.streamlip.filter.blocklist;

import io.streamlip.filter.config.BlocklistConfig;
import io.streamlip.filter.curate.PerceptualHash;
import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The entries in force and what they refuse: a pair whose image has a listed SHA-256, or a
 * perceptual hash within {@code maxPhashDistance} bits of a listed one, is {@code
 * blocklisted_image}; a caption containing a listed term ({@link CaptionTerms}) is {@code
 * caption_blocklisted}. Each entry remembers where it came from (a file and line, or the topic),
 * and the refusal's detail says so (for a perceptual hash, the nearest listed one: {@link
 * PhashIndex}). At most {@code maxEntries} entries ({@link BlocklistConfig#maxEntries()}): adding
 * beyond refuses.
 */
public final class Blocklist implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int maxPhashDistance;
    private final int maxEntries;
    private final Map<BlocklistEntry, String> origins = new LinkedHashMap<>();
    private final CaptionTerms terms = new CaptionTerms();
    private final PhashIndex phashes;

    /**
     * An empty list.
     *
     * @param maxPhashDistance a pair's perceptual hash within this many bits of a listed one
     *     matches, in [0, 32]
     * @param maxEntries most entries held, of all kinds together, in [1, {@link
     *     BlocklistConfig#MAX_ENTRIES_LIMIT}]
     */
    public Blocklist(int maxPhashDistance, int maxEntries) {
        if (maxPhashDistance < 0 || maxPhashDistance > 32) {
            throw new IllegalArgumentException(
                    "maxPhashDistance must be in [0, 32], got " + maxPhashDistance);
        }
        if (maxEntries < 1 || maxEntries > BlocklistConfig.MAX_ENTRIES_LIMIT) {
            throw new IllegalArgumentException(
                    "maxEntries must be in [1, "
                            + BlocklistConfig.MAX_ENTRIES_LIMIT
                            + "], got "
                            + maxEntries);
        }
        this.maxPhashDistance = maxPhashDistance;
        this.maxEntries = maxEntries;
        this.phashes = new PhashIndex(maxPhashDistance);
    }

    /**
     * Adds {@code entry}, noting {@code origin} for the refusals' detail; an entry already listed
     * keeps its first origin.
     *
     * @return false when the entry was listed already
     * @throws IllegalStateException when the list holds {@link #maxEntries()} entries already
     */
    public boolean add(BlocklistEntry entry, String origin) {
        if (origins.containsKey(entry)) {
            return false;
        }
        if (origins.size() >= maxEntries) {
            throw new IllegalStateException(
                    "the blocklist holds "
                            + maxEntries
                            + " entries, its bound; "
                            + entry
                            + " not added");
        }
        origins.put(entry, origin);
        switch (entry.kind()) {
            case TERM -> terms.add(entry.value());
            case PHASH -> phashes.add(entry.phashValue());
            case SHA256 -> {
                // looked up in origins
            }
        }
        return true;
    }

    /** Removes {@code entry}; returns false when it was not listed. */
    public boolean remove(BlocklistEntry entry) {
        if (origins.remove(entry) == null) {
            return false;
        }
        switch (entry.kind()) {
            case TERM -> terms.remove(entry.value());
            case PHASH -> phashes.remove(entry.phashValue());
            case SHA256 -> {
                // only in origins
            }
        }
        return true;
    }

    /** Whether {@code entry} is listed. */
    public boolean contains(BlocklistEntry entry) {
        return origins.containsKey(entry);
    }

    /** How many entries are listed. */
    public int size() {
        return origins.size();
    }

    /** The most entries it holds. */
    public int maxEntries() {
        return maxEntries;
    }

    /** The largest Hamming distance at which a perceptual hash matches a listed one. */
    public int maxPhashDistance() {
        return maxPhashDistance;
    }

    /**
     * Whether a pair with this image and caption is refused, and why.
     *
     * @param imageSha256 hex SHA-256 of the encoded image (either case), or null
     * @param phash the image's perceptual hash, or null when not computed
     * @param caption the normalised caption, or null
     * @return the refusal, empty when the pair may pass
     */
    public Optional<Verdict.Refused<Void>> check(String imageSha256, Long phash, String caption) {
        if (origins.isEmpty()) {
            return Optional.empty();
        }
        if (imageSha256 != null && imageSha256.length() == 64) {
            BlocklistEntry exact =
                    new BlocklistEntry(
                            BlocklistEntry.Kind.SHA256,
                            imageSha256.toLowerCase(java.util.Locale.ROOT));
            String origin = origins.get(exact);
            if (origin != null) {
                return refuse(
                        RejectReason.BLOCKLISTED_IMAGE,
                        "image SHA-256 " + exact.value() + " is blocklisted (" + origin + ")");
            }
        }
        if (phash != null) {
            OptionalLong near = phashes.nearest(phash);
            if (near.isPresent()) {
                BlocklistEntry listed = BlocklistEntry.phash(near.getAsLong());
                return refuse(
                        RejectReason.BLOCKLISTED_IMAGE,
                        "image perceptual hash is "
                                + PerceptualHash.distance(phash, near.getAsLong())
                                + " bits from the blocklisted "
                                + listed
                                + " ("
                                + origins.get(listed)
                                + ")");
            }
        }
        Optional<String> term = terms.find(caption);
        if (term.isPresent()) {
            BlocklistEntry listed = new BlocklistEntry(BlocklistEntry.Kind.TERM, term.get());
            return refuse(
                    RejectReason.CAPTION_BLOCKLISTED,
                    "caption contains the blocklisted term '"
                            + term.get()
                            + "' ("
                            + origins.get(listed)
                            + ")");
        }
        return Optional.empty();
    }

    private static Optional<Verdict.Refused<Void>> refuse(RejectReason reason, String detail) {
        return Optional.of(new Verdict.Refused<>(reason, detail));
    }
}
