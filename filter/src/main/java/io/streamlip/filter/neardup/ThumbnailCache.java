package io.streamlip.filter.neardup;

/**
 * The thumbnails a {@link BandLookupOperator} task read from state last, by image id ({@link
 * NearDuplicateIndex#imageId}). A probe confirms its oldest candidate by that candidate's
 * thumbnail, and the oldest near copy in a bucket is most often the image that started the cluster:
 * the same few images are read again for every later copy of a popular picture, each time a state
 * read.
 *
 * <p>An image id is a SHA-256 over the image's hash and thumbnail, so the id determines the bytes:
 * a cached thumbnail is the one the state holds for that id in any bucket. It is a cache on the
 * heap, not state: a restored or rescaled task starts empty. Direct-mapped over {@value #SLOTS}
 * slots, holding references to the arrays read (about {@value #SLOTS} times a thumbnail's 768 bytes
 * at most); a newer image takes the slot of an older one it collides with.
 */
final class ThumbnailCache {
    /** Slots of the cache the job uses, a power of two. */
    static final int SLOTS = 1 << 10;

    private final int shift;
    private final long[] ids;
    private final byte[][] thumbnails;

    /**
     * @param slots a power of two, or 0 for a cache that keeps nothing (tests compare answers with
     *     and without it)
     */
    ThumbnailCache(int slots) {
        NearCopyMemo.checkSlots(slots);
        this.shift = slots <= 1 ? 0 : Long.SIZE - Integer.numberOfTrailingZeros(slots);
        this.ids = new long[slots];
        this.thumbnails = new byte[slots][];
    }

    /** The thumbnail of image {@code imageId} when it is kept, else null. */
    byte[] get(long imageId) {
        if (ids.length == 0) {
            return null;
        }
        int slot = slot(imageId);
        return ids[slot] == imageId ? thumbnails[slot] : null;
    }

    /** Keeps {@code thumbnail} as the thumbnail of image {@code imageId}. */
    void put(long imageId, byte[] thumbnail) {
        if (ids.length == 0) {
            return;
        }
        int slot = slot(imageId);
        ids[slot] = imageId;
        thumbnails[slot] = thumbnail;
    }

    private int slot(long imageId) {
        if (shift == 0) {
            return 0; // one slot
        }
        long mixed = imageId * 0x9E3779B97F4A7C15L;
        mixed ^= mixed >>> 29;
        return (int) ((mixed * 0xBF58476D1CE4E5B9L) >>> shift);
    }
}
