package io.streamlip.trainer.model;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Embeddings of a locked image tower, least recently used dropped first. Keyed by a SHA-256 of the
 * image's pixels as the tower sees them, so the same image under two example ids (a duplicate, a
 * replayed record) is embedded once; a training batch carries no example ids. Not thread-safe.
 */
public final class ImageEmbeddingCache {
    private final int capacity;
    private final Map<String, float[]> entries;
    private long hits;
    private long misses;

    public ImageEmbeddingCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, got " + capacity);
        }
        this.capacity = capacity;
        this.entries =
                new LinkedHashMap<>(16, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
                        return size() > ImageEmbeddingCache.this.capacity;
                    }
                };
    }

    /** The key of image {@code index} of a batch laid out as {@code images} (B*3*H*W floats). */
    public static String key(float[] images, int index, int floatsPerImage) {
        ByteBuffer bytes = ByteBuffer.allocate(floatsPerImage * Float.BYTES);
        bytes.asFloatBuffer().put(images, index * floatsPerImage, floatsPerImage);
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.array()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The embedding stored under {@code key}, or null. Counts a hit or a miss. */
    public float[] get(String key) {
        float[] e = entries.get(key);
        if (e == null) {
            misses++;
        } else {
            hits++;
        }
        return e;
    }

    public void put(String key, float[] embedding) {
        entries.put(key, embedding);
    }

    public int size() {
        return entries.size();
    }

    public long hits() {
        return hits;
    }

    public long misses() {
        return misses;
    }
}
