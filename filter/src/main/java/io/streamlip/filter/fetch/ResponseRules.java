package io.streamlip.filter.fetch;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** What the fetcher reads from response headers: opt-outs, media types and retry delays. */
final class ResponseRules {
    /** The {@code X-Robots-Tag} directives that opt an image out of AI training (img2dataset's). */
    static final Set<String> OPT_OUT_DIRECTIVES = Set.of("noai", "noimageai");

    /** Directives of the form {@code name: value}, not user-agent scopes. */
    private static final Set<String> VALUED_DIRECTIVES =
            Set.of("unavailable_after", "max-snippet", "max-image-preview", "max-video-preview");

    private ResponseRules() {}

    /**
     * The opt-out directive of {@code robotsTags} (the {@code X-Robots-Tag} values) that applies to
     * a client whose product token is {@code agentToken}, if any. A value may be scoped to one
     * crawler ({@code otherbot: noai}): it then applies only when that is this client.
     */
    static Optional<String> optOut(List<String> robotsTags, String agentToken) {
        for (String value : robotsTags) {
            String scope = null;
            for (String part : value.split(",")) {
                String directive = part.strip().toLowerCase(Locale.ROOT);
                int colon = directive.indexOf(':');
                if (colon > 0) {
                    String name = directive.substring(0, colon).strip();
                    if (!VALUED_DIRECTIVES.contains(name)) {
                        scope = name;
                        directive = directive.substring(colon + 1).strip();
                    }
                }
                boolean applies = scope == null || scope.equals("*") || scope.equals(agentToken);
                if (applies && OPT_OUT_DIRECTIVES.contains(directive)) {
                    return Optional.of(scope == null ? directive : scope + ": " + directive);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The product token of a User-Agent, lower case: {@code streamlip-fetch} of {@code .../1.0}.
     */
    static String agentToken(String userAgent) {
        String first = userAgent.strip().split("[\\s/]", 2)[0];
        return first.toLowerCase(Locale.ROOT);
    }

    /** The media type of a {@code Content-Type} value, lower case, without its parameters. */
    static String mediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        String type = semicolon < 0 ? contentType : contentType.substring(0, semicolon);
        return type.strip().toLowerCase(Locale.ROOT);
    }

    /** Whether {@code mediaType} is one of {@code allowed} ({@code image/*} allows every image). */
    static boolean allowed(String mediaType, List<String> allowed) {
        for (String a : allowed) {
            if (a.equals(mediaType)
                    || (a.endsWith("/*") && mediaType.startsWith(a.substring(0, a.length() - 1)))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The delay a {@code Retry-After} value asks for, in seconds or as an HTTP date; empty when
     * absent or unreadable (the fetcher's own backoff then applies).
     */
    static Optional<Duration> retryAfter(Optional<String> value, Instant now) {
        if (value.isEmpty()) {
            return Optional.empty();
        }
        String v = value.get().strip();
        if (v.matches("\\d{1,9}")) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
        }
        try {
            Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration d = Duration.between(now, at);
            return Optional.of(d.isNegative() ? Duration.ZERO : d);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
