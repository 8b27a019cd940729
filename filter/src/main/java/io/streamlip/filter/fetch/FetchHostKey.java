package io.streamlip.filter.fetch;

import io.streamlip.platform.kafka.KafkaEnvelope;
import io.streamlip.schemas.Verdict;
import java.net.URI;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * The fetch stage's partitioning key: the host of a record's {@code image_url} (normalised by
 * {@link FetchUrls}, as {@link HostLimiter} counts it), so every fetch of one host runs in one
 * parallel task and the per-host limits hold job-wide. Read with {@link RawPairPeek} (the router
 * sends only url-only pairs here); a record whose URL has no host keys as the empty string (its
 * fetch is refused).
 */
final class FetchHostKey implements KeySelector<KafkaEnvelope, String> {
    private static final long serialVersionUID = 1L;

    private final RawPairPeek peek = RawPairPeek.forRawPairs();

    @Override
    public String getKey(KafkaEnvelope envelope) {
        RawPairPeek.Peeked peeked = peek.peek(envelope.value);
        return peeked.kind() == RawPairPeek.Kind.URL ? host(peeked.url()) : "";
    }

    /** The host {@code url} is fetched from, or the empty string. */
    static String host(String url) {
        Verdict<URI> uri = FetchUrls.normalise(url);
        return uri.accepted() ? uri.value().getHost() : "";
    }
}
