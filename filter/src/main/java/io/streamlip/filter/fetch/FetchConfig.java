package io.streamlip.filter.fetch;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How the filter job fetches the image of a pair that carries only an {@code image_url} ({@link
 * ImageFetcher}). Each component's comment gives what it is and its default; the why of each is in
 * docs/decisions/fetching.md. The fetch stage is keyed by host, so the per-host limits hold
 * job-wide for the hosts a pair's URL names; a redirect to another host takes this task's share of
 * that host's limits ({@link HostLimiter}), or is refused ({@link CrossHost#REFUSE}).
 */
public record FetchConfig(
        // fetch url-only pairs at all (when off, curation refuses them as image_missing); true
        boolean enabled,
        // TCP (and TLS) connection set-up; 5 s
        Duration connectTimeout,
        // longest silence before the response headers and between two pieces of the body; 10 s
        Duration readTimeout,
        // one pair's whole fetch: slot waits, redirects, retries and backoff; 30 s
        Duration totalTimeout,
        // most body bytes, enforced while the body streams; 8 MiB
        int maxBytes,
        // most redirects followed, each hop checked like the first request; 5
        int maxRedirects,
        // a redirect to another host: followed under this task's share of that host's limits, or
        // refused as fetch_cross_host; FOLLOW
        CrossHost crossHost,
        // retries after a 429, a 5xx or a timeout (Retry-After honoured); 2
        int maxRetries,
        // first retry's delay without Retry-After, doubling after each; 500 ms
        Duration retryBackoff,
        // most requests in flight to one host, job-wide (fetches are keyed by host); 8
        int perHostConcurrency,
        // most requests started per second at one host; 0 for no limit (the default)
        double perHostRate,
        // most pairs being fetched at once per task (the async stage's capacity); 64
        int maxInFlight,
        // the User-Agent header; DEFAULT_USER_AGENT
        String userAgent,
        // media types accepted ("type/*" for a whole type); jpeg, png, gif, bmp
        List<String> contentTypes,
        // non-public networks (CIDR) fetched from anyway, e.g. 127.0.0.0/8; none
        List<String> allowedNetworks)
        implements Serializable {

    /** The default {@link #userAgent}: its product token is what opt-out headers may name. */
    public static final String DEFAULT_USER_AGENT = "streamlip-fetch/1.0";

    /** Largest {@link #maxBytes}: 64 MiB. */
    public static final int MAX_BYTES_LIMIT = 64 * 1024 * 1024;

    /** Most bytes {@code maxInFlight x maxBytes} may hold per task: 2 GiB. */
    public static final long MAX_BUFFERED_BYTES = 2L * 1024 * 1024 * 1024;

    /** What a redirect to another host than the hop's own does. */
    public enum CrossHost {
        /** Follow it, under this task's share of the other host's limits. */
        FOLLOW,
        /** Refuse it as {@code fetch_cross_host}: every host's limits hold exactly. */
        REFUSE
    }

    public FetchConfig {
        Objects.requireNonNull(crossHost, "crossHost");
        positive("connectTimeout", connectTimeout);
        positive("readTimeout", readTimeout);
        positive("totalTimeout", totalTimeout);
        positive("retryBackoff", retryBackoff);
        within("maxBytes", maxBytes, 1, MAX_BYTES_LIMIT);
        within("maxRedirects", maxRedirects, 0, 20);
        within("maxRetries", maxRetries, 0, 10);
        within("perHostConcurrency", perHostConcurrency, 1, 1024);
        within("maxInFlight", maxInFlight, 1, 10_000);
        if (!(perHostRate >= 0 && perHostRate <= 10_000)) {
            throw new IllegalArgumentException(
                    "perHostRate must lie in [0, 10000] (0: no limit), got " + perHostRate);
        }
        if ((long) maxInFlight * maxBytes > MAX_BUFFERED_BYTES) {
            throw new IllegalArgumentException(
                    "maxInFlight x maxBytes ("
                            + maxInFlight
                            + " x "
                            + maxBytes
                            + ") must not exceed "
                            + MAX_BUFFERED_BYTES
                            + " bytes: that many bodies may be held at once");
        }
        Objects.requireNonNull(userAgent, "userAgent");
        if (userAgent.isBlank()
                || userAgent.length() > 256
                || !userAgent.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException(
                    "userAgent must be 1-256 printable ASCII characters, got '" + userAgent + "'");
        }
        contentTypes =
                List.copyOf(Objects.requireNonNull(contentTypes, "contentTypes")).stream()
                        .map(t -> t.strip().toLowerCase(Locale.ROOT))
                        .toList();
        if (contentTypes.isEmpty() || contentTypes.size() > 64) {
            throw new IllegalArgumentException(
                    "contentTypes must hold 1 to 64 media types, got " + contentTypes.size());
        }
        for (String type : contentTypes) {
            if (!type.matches("[a-z0-9.+-]+/(\\*|[a-z0-9.+-]+)")) {
                throw new IllegalArgumentException(
                        "contentTypes: '" + type + "' is not a media type such as image/png");
            }
        }
        allowedNetworks = List.copyOf(Objects.requireNonNull(allowedNetworks, "allowedNetworks"));
        if (allowedNetworks.size() > 64) {
            throw new IllegalArgumentException(
                    "allowedNetworks holds at most 64 networks, got " + allowedNetworks.size());
        }
        allowedNetworks.forEach(Cidr::parse); // refuses a bad one, naming it
    }

    /** The documented defaults. */
    public static FetchConfig defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * The longest a fetch can take before the stage gives up on it: {@link #totalTimeout} (the
     * fetcher's own deadline) with a margin, for the async operator's timeout.
     */
    public Duration operatorTimeout() {
        return totalTimeout.plusSeconds(5);
    }

    /** Builds a {@link FetchConfig}; each setting starts at its default, named as its component. */
    public static final class Builder {
        private boolean enabled = true;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration readTimeout = Duration.ofSeconds(10);
        private Duration totalTimeout = Duration.ofSeconds(30);
        private int maxBytes = 8 * 1024 * 1024;
        private int maxRedirects = 5;
        private CrossHost crossHost = CrossHost.FOLLOW;
        private int maxRetries = 2;
        private Duration retryBackoff = Duration.ofMillis(500);
        private int perHostConcurrency = 8;
        private double perHostRate = 0;
        private int maxInFlight = 64;
        private String userAgent = DEFAULT_USER_AGENT;
        private List<String> contentTypes =
                List.of("image/jpeg", "image/png", "image/gif", "image/bmp");
        private List<String> allowedNetworks = List.of();

        private Builder() {}

        private Builder(FetchConfig c) {
            enabled = c.enabled;
            connectTimeout = c.connectTimeout;
            readTimeout = c.readTimeout;
            totalTimeout = c.totalTimeout;
            maxBytes = c.maxBytes;
            maxRedirects = c.maxRedirects;
            crossHost = c.crossHost;
            maxRetries = c.maxRetries;
            retryBackoff = c.retryBackoff;
            perHostConcurrency = c.perHostConcurrency;
            perHostRate = c.perHostRate;
            maxInFlight = c.maxInFlight;
            userAgent = c.userAgent;
            contentTypes = c.contentTypes;
            allowedNetworks = c.allowedNetworks;
        }

        public Builder enabled(boolean value) {
            enabled = value;
            return this;
        }

        public Builder connectTimeout(Duration value) {
            connectTimeout = value;
            return this;
        }

        public Builder readTimeout(Duration value) {
            readTimeout = value;
            return this;
        }

        public Builder totalTimeout(Duration value) {
            totalTimeout = value;
            return this;
        }

        public Builder maxBytes(int value) {
            maxBytes = value;
            return this;
        }

        public Builder maxRedirects(int value) {
            maxRedirects = value;
            return this;
        }

        public Builder crossHost(CrossHost value) {
            crossHost = value;
            return this;
        }

        public Builder maxRetries(int value) {
            maxRetries = value;
            return this;
        }

        public Builder retryBackoff(Duration value) {
            retryBackoff = value;
            return this;
        }

        public Builder perHostConcurrency(int value) {
            perHostConcurrency = value;
            return this;
        }

        public Builder perHostRate(double value) {
            perHostRate = value;
            return this;
        }

        public Builder maxInFlight(int value) {
            maxInFlight = value;
            return this;
        }

        public Builder userAgent(String value) {
            userAgent = value;
            return this;
        }

        public Builder contentTypes(List<String> value) {
            contentTypes = value;
            return this;
        }

        public Builder allowedNetworks(List<String> value) {
            allowedNetworks = value;
            return this;
        }

        /** The configuration; the record's constructor checks it. */
        public FetchConfig build() {
            return new FetchConfig(
                    enabled,
                    connectTimeout,
                    readTimeout,
                    totalTimeout,
                    maxBytes,
                    maxRedirects,
                    crossHost,
                    maxRetries,
                    retryBackoff,
                    perHostConcurrency,
                    perHostRate,
                    maxInFlight,
                    userAgent,
                    contentTypes,
                    allowedNetworks);
        }
    }

    private static void positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero() || value.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException(name + " must lie in (0, 1 h], got " + value);
        }
    }

    private static void within(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(
                    name + " must lie in [" + min + ", " + max + "], got " + value);
        }
    }
}
