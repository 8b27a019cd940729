package io.streamlip.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The {@code key=value} arguments of the benchmarks' {@code main} methods (experiments). */
final class BenchArguments {
    private BenchArguments() {}

    /** The arguments by lower-cased key, in their order; anything not {@code key=value} fails. */
    static Map<String, String> parse(String[] args) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("expected key=value, got " + a);
            }
            kv.put(a.substring(0, eq).toLowerCase(Locale.ROOT), a.substring(eq + 1));
        }
        return kv;
    }
}
