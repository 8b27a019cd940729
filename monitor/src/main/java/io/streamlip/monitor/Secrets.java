package io.streamlip.monitor;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Masks secret Kafka client settings before anything is logged or shown. */
public final class Secrets {
    /** What a secret value is replaced with. */
    public static final String HIDDEN = "[hidden]";

    private Secrets() {}

    /**
     * Whether {@code key} holds a secret: {@code sasl.jaas.config}, any {@code *.password}, SSL
     * keys, and anything named like a secret, token or credential.
     */
    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.equals("sasl.jaas.config")
                || k.endsWith("password")
                || k.startsWith("ssl.key")
                || k.equals("ssl.keystore.key")
                || k.contains("secret")
                || k.contains("token")
                || k.contains("credential")
                || k.equals("basic.auth.user.info");
    }

    /** A sorted copy of {@code properties} with every secret value replaced by {@value #HIDDEN}. */
    public static Map<String, String> mask(Map<String, String> properties) {
        Map<String, String> out = new TreeMap<>();
        properties.forEach((k, v) -> out.put(k, isSecret(k) ? HIDDEN : v));
        return out;
    }
}
