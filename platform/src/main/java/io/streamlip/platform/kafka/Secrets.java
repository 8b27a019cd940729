package io.streamlip.platform.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Masks secret Kafka client settings before anything is logged, printed or shown: the values of
 * keys that name a password, a JAAS configuration, a secret, a token, a key or a credential.
 */
public final class Secrets {
    /** What a secret value is replaced with. */
    public static final String HIDDEN = "[hidden]";

    /** The option that carries one Kafka client property, {@code KEY=VALUE}, on command lines. */
    public static final String KAFKA_PROPERTY_OPTION = "--kafka-property";

    private static final List<String> SECRET_WORDS =
            List.of("password", "jaas", "secret", "token", "key", "credential");

    private Secrets() {}

    /**
     * Whether {@code key} holds a secret: it contains password, jaas, secret, token, key or
     * credential ({@code sasl.jaas.config}, {@code ssl.key.password}, {@code
     * sasl.oauthbearer.token.endpoint.url}... harmless ones such as {@code key.serializer} are
     * masked too: better one too many), or it is {@code basic.auth.user.info}.
     */
    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return SECRET_WORDS.stream().anyMatch(k::contains) || k.equals("basic.auth.user.info");
    }

    /** A sorted copy of {@code properties} with every secret value replaced by {@value #HIDDEN}. */
    public static Map<String, String> mask(Map<String, String> properties) {
        Map<String, String> out = new TreeMap<>();
        properties.forEach((k, v) -> out.put(k, isSecret(k) ? HIDDEN : v));
        return out;
    }

    /**
     * {@code args} with the value of every secret {@value #KAFKA_PROPERTY_OPTION} masked, in both
     * spellings ({@code --kafka-property KEY=VALUE} and {@code --kafka-property=KEY=VALUE}).
     */
    public static List<String> maskArguments(List<String> args) {
        List<String> out = new ArrayList<>(args.size());
        boolean propertyNext = false;
        for (String arg : args) {
            if (propertyNext) {
                out.add(maskProperty(arg));
                propertyNext = false;
            } else if (arg.startsWith(KAFKA_PROPERTY_OPTION + "=")) {
                out.add(
                        KAFKA_PROPERTY_OPTION
                                + "="
                                + maskProperty(arg.substring(KAFKA_PROPERTY_OPTION.length() + 1)));
            } else {
                out.add(arg);
                propertyNext = arg.equals(KAFKA_PROPERTY_OPTION);
            }
        }
        return out;
    }

    /** {@code KEY=VALUE} with the value masked when the key is a secret one. */
    static String maskProperty(String property) {
        int eq = property.indexOf('=');
        if (eq < 0) {
            return isSecret(property) ? HIDDEN : property;
        }
        String key = property.substring(0, eq);
        return isSecret(key) ? key + "=" + HIDDEN : property;
    }
}
