package io.streamlip.filter.curate;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What makes two pairs duplicates: the same image content (SHA-256 of the encoded bytes) with the
 * same normalised caption. The same image with another caption is a new pair, as in WebLI, where
 * one image appears with the alt-texts of every page that uses it.
 *
 * <p>The key is a SHA-256 over both, in hex (64 characters), so the deduplication state holds a
 * fixed-size key per pair however long the caption.
 */
public final class DuplicateKey {
    private DuplicateKey() {}

    /**
     * @param imageSha256 hex SHA-256 of the encoded image bytes
     * @param normalisedCaption the caption after {@link CaptionCheck#normalise}
     */
    public static String of(String imageSha256, String normalisedCaption) {
        MessageDigest digest = sha256();
        digest.update(imageSha256.getBytes(StandardCharsets.US_ASCII));
        // A separator that cannot occur in hex, so ("ab", "c") and ("a", "bc") differ.
        digest.update((byte) 0);
        digest.update(normalisedCaption.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Hex SHA-256 of {@code bytes}. */
    public static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
