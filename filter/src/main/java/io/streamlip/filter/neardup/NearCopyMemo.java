package io.streamlip.filter.neardup;

import io.streamlip.filter.config.NearDuplicateConfig;

/**
 * The thumbnail verdicts a {@link BandLookupOperator} task computed last, by pair of image ids
 * ({@link NearDuplicateIndex#imageId}): whether the thumbnails of two images lie within {@link
 * NearDuplicateConfig#maxThumbnailDistance()}. A pair's {@code k + 1} band keys meet the same
 * earlier images in several of their band buckets (two near copies share most of their band keys),
 * and each bucket confirmed each candidate again: reading its thumbnail from state and comparing
 * 768 bytes, half the band stage's CPU on the datapath benchmark. With this memo a task compares
 * each pair of images once while the pair is remembered.
 *
 * <p>It never changes an answer: an image id is a SHA-256 of the image's hash and thumbnail, so the
 * two ids determine both thumbnails (the band state already keys thumbnails by id), and the verdict
 * is a pure function of them for the task's fixed configuration. It is a cache on the heap, not
 * state: a restored or rescaled task starts empty and computes again. Direct-mapped over {@value
 * #SLOTS} slots (about {@value #BYTES_APPROX} bytes), no allocation per lookup; a newer pair takes
 * the slot of an older one it collides with.
 */
final class NearCopyMemo {
    /** Slots of the memo the job uses, a power of two. */
    static final int SLOTS = 1 << 14;

    /** Heap bytes of the three slot arrays at {@link #SLOTS}, roughly. */
    static final int BYTES_APPROX = SLOTS * (2 * Long.BYTES + 1);

    private static final byte EMPTY = 0;
    private static final byte NEAR = 1;
    private static final byte FAR = 2;

    private final int shift;
    private final long[] probes;
    private final long[] members;
    private final byte[] verdicts;

    /** A memo of {@link #SLOTS} slots. */
    NearCopyMemo() {
        this(SLOTS);
    }

    /**
     * @param slots a power of two, or 0 for a memo that remembers nothing (tests compare answers
     *     with and without it)
     */
    NearCopyMemo(int slots) {
        checkSlots(slots);
        this.shift = slots <= 1 ? 0 : Long.SIZE - Integer.numberOfTrailingZeros(slots);
        this.probes = new long[slots];
        this.members = new long[slots];
        this.verdicts = new byte[slots];
    }

    /** Returns {@code slots} when it is 0 or a power of two, else fails. */
    static int checkSlots(int slots) {
        if (slots < 0 || (slots & (slots - 1)) != 0) {
            throw new IllegalArgumentException("slots must be 0 or a power of two, got " + slots);
        }
        return slots;
    }

    /**
     * What is remembered for images {@code probe} and {@code member}: {@link Boolean#TRUE} when
     * their thumbnails are near, {@link Boolean#FALSE} when not, null when the pair is not
     * remembered.
     */
    Boolean get(long probe, long member) {
        if (verdicts.length == 0) {
            return null;
        }
        int slot = slot(probe, member);
        byte verdict = verdicts[slot];
        if (verdict == EMPTY || probes[slot] != probe || members[slot] != member) {
            return null;
        }
        return verdict == NEAR;
    }

    /** Remembers the verdict for images {@code probe} and {@code member}. */
    void put(long probe, long member, boolean near) {
        if (verdicts.length == 0) {
            return;
        }
        int slot = slot(probe, member);
        probes[slot] = probe;
        members[slot] = member;
        verdicts[slot] = near ? NEAR : FAR;
    }

    private int slot(long probe, long member) {
        if (shift == 0) {
            return 0; // one slot
        }
        long mixed = probe * 0x9E3779B97F4A7C15L ^ member * 0xC2B2AE3D27D4EB4FL;
        mixed ^= mixed >>> 31;
        return (int) ((mixed * 0xD6E8FEB86659FD93L) >>> shift);
    }
}
