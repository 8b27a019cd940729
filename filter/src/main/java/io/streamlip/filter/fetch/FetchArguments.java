package io.streamlip.filter.fetch;

import io.streamlip.filter.config.FilterArguments;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The fetch settings as named options, read through {@link FilterArguments} (so {@code
 * FilterJob.main}, {@code streamlip demo}, {@code submit} and the {@code filter:} section of a
 * configuration file take them): one name per {@link FetchConfig} setting.
 */
public final class FetchArguments {
    public static final String FETCH = "fetch";
    public static final String CONNECT_TIMEOUT = "fetch-connect-timeout";
    public static final String READ_TIMEOUT = "fetch-read-timeout";
    public static final String TIMEOUT = "fetch-timeout";
    public static final String MAX_BYTES = "fetch-max-bytes";
    public static final String MAX_REDIRECTS = "fetch-max-redirects";
    public static final String CROSS_HOST = "fetch-cross-host";
    public static final String RETRIES = "fetch-retries";
    public static final String RETRY_BACKOFF = "fetch-retry-backoff";
    public static final String PER_HOST = "fetch-per-host";
    public static final String PER_HOST_RATE = "fetch-per-host-rate";
    public static final String IN_FLIGHT = "fetch-in-flight";
    public static final String USER_AGENT = "fetch-user-agent";
    public static final String CONTENT_TYPES = "fetch-content-types";
    public static final String ALLOW_PRIVATE = "fetch-allow-private";

    /** Every option name, in the order {@link #values} writes them. */
    public static final List<String> NAMES =
            List.of(
                    FETCH,
                    CONNECT_TIMEOUT,
                    READ_TIMEOUT,
                    TIMEOUT,
                    MAX_BYTES,
                    MAX_REDIRECTS,
                    CROSS_HOST,
                    RETRIES,
                    RETRY_BACKOFF,
                    PER_HOST,
                    PER_HOST_RATE,
                    IN_FLIGHT,
                    USER_AGENT,
                    CONTENT_TYPES,
                    ALLOW_PRIVATE);

    private FetchArguments() {}

    /** A setter of one option's value, which may refuse it. */
    public interface Setter {
        void set(String value);
    }

    /**
     * Registers each option's setter on {@code fetch} with {@code set} (name, setter): the caller
     * applies the given values and names an option whose value is refused.
     */
    public static void setters(FetchConfig.Builder fetch, Map<String, Setter> set) {
        set.put(FETCH, v -> fetch.enabled(bool(v)));
        set.put(CONNECT_TIMEOUT, v -> fetch.connectTimeout(duration(v)));
        set.put(READ_TIMEOUT, v -> fetch.readTimeout(duration(v)));
        set.put(TIMEOUT, v -> fetch.totalTimeout(duration(v)));
        set.put(MAX_BYTES, v -> fetch.maxBytes(Integer.parseInt(v.strip())));
        set.put(MAX_REDIRECTS, v -> fetch.maxRedirects(Integer.parseInt(v.strip())));
        set.put(CROSS_HOST, v -> fetch.crossHost(crossHost(v)));
        set.put(RETRIES, v -> fetch.maxRetries(Integer.parseInt(v.strip())));
        set.put(RETRY_BACKOFF, v -> fetch.retryBackoff(duration(v)));
        set.put(PER_HOST, v -> fetch.perHostConcurrency(Integer.parseInt(v.strip())));
        set.put(PER_HOST_RATE, v -> fetch.perHostRate(Double.parseDouble(v.strip())));
        set.put(IN_FLIGHT, v -> fetch.maxInFlight(Integer.parseInt(v.strip())));
        set.put(USER_AGENT, fetch::userAgent);
        set.put(CONTENT_TYPES, v -> fetch.contentTypes(list(v)));
        set.put(ALLOW_PRIVATE, v -> fetch.allowedNetworks(networks(v)));
    }

    /** {@code base} with the options {@code given} returns a value for (unchecked names). */
    public static FetchConfig apply(Function<String, Optional<String>> given, FetchConfig base) {
        FetchConfig.Builder fetch = base.toBuilder();
        Map<String, Setter> setters = new LinkedHashMap<>();
        setters(fetch, setters);
        setters.forEach((name, setter) -> given.apply(name).ifPresent(setter::set));
        return fetch.build();
    }

    /** Each option's value in {@code c}, as the options read it. */
    public static Map<String, String> values(FetchConfig c) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put(FETCH, Boolean.toString(c.enabled()));
        v.put(CONNECT_TIMEOUT, c.connectTimeout().toString());
        v.put(READ_TIMEOUT, c.readTimeout().toString());
        v.put(TIMEOUT, c.totalTimeout().toString());
        v.put(MAX_BYTES, Integer.toString(c.maxBytes()));
        v.put(MAX_REDIRECTS, Integer.toString(c.maxRedirects()));
        v.put(CROSS_HOST, c.crossHost().name().toLowerCase(Locale.ROOT));
        v.put(RETRIES, Integer.toString(c.maxRetries()));
        v.put(RETRY_BACKOFF, c.retryBackoff().toString());
        v.put(PER_HOST, Integer.toString(c.perHostConcurrency()));
        v.put(PER_HOST_RATE, Double.toString(c.perHostRate()));
        v.put(IN_FLIGHT, Integer.toString(c.maxInFlight()));
        v.put(USER_AGENT, c.userAgent());
        v.put(CONTENT_TYPES, String.join(",", c.contentTypes()));
        v.put(
                ALLOW_PRIVATE,
                c.allowedNetworks().isEmpty() ? "none" : String.join(",", c.allowedNetworks()));
        return v;
    }

    /**
     * A duration as {@link FilterArguments#duration} reads it, or in milliseconds ({@code 250ms}).
     */
    static Duration duration(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.matches("\\d{1,9}ms")) {
            return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
        }
        try {
            return FilterArguments.duration(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "expected a duration such as 250ms, 10s, 2m or PT10S, got '" + text + "'");
        }
    }

    /** {@code none} or networks in CIDR form, comma-separated. */
    static List<String> networks(String value) {
        String v = value.strip();
        return v.equalsIgnoreCase("none") ? List.of() : list(v);
    }

    private static List<String> list(String value) {
        return Arrays.stream(value.split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    /** {@code follow} or {@code refuse}. */
    static FetchConfig.CrossHost crossHost(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "follow" -> FetchConfig.CrossHost.FOLLOW;
            case "refuse" -> FetchConfig.CrossHost.REFUSE;
            default ->
                    throw new IllegalArgumentException(
                            "expected follow or refuse, got '" + value + "'");
        };
    }

    private static boolean bool(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true", "on" -> true;
            case "false", "off" -> false;
            default ->
                    throw new IllegalArgumentException(
                            "expected true or false, got '" + value + "'");
        };
    }
}
