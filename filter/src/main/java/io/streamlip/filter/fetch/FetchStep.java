package io.streamlip.filter.fetch;

import io.streamlip.schemas.RejectReason;
import java.util.Optional;

/** What one HTTP exchange of a fetch came to; the fetcher decides what follows. */
sealed interface FetchStep {
    /** A body within the limits, of an accepted media type. */
    record Image(byte[] bytes, String mediaType) implements FetchStep {}

    /** A redirect to {@code location} (null when the response named none). */
    record Redirect(int status, String location) implements FetchStep {}

    /** A status that is neither success nor redirect, with its Retry-After value if any. */
    record Status(int code, Optional<String> retryAfter) implements FetchStep {}

    /** A refusal that no retry changes. */
    record Refused(RejectReason reason, String detail) implements FetchStep {}

    /** The server went silent: retried like a 5xx. */
    record Timeout(String detail) implements FetchStep {}
}
