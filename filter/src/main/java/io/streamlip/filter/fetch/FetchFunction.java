package io.streamlip.filter.fetch;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.curate.PairCurator;
import io.streamlip.platform.kafka.KafkaEnvelope;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * The fetch stage's async function: a raw pair with an {@code image_url} and no image bytes is
 * fetched ({@link ImageFetcher}) and continues re-encoded with its image (its URL kept); every
 * other record (bytes inline, not a raw pair, or refused by curation on its text alone, so no image
 * is downloaded for it) continues unchanged at once. A failed fetch continues as a refusal. The
 * future always completes: the fetcher's own deadline comes first, {@link #timeout} is the
 * operator's backstop. Nothing here throws for a record.
 *
 * <p>Keyed by host ({@link FetchHostKey}), a task owns the hosts whose key groups it holds and
 * takes their whole limits; any other host (a redirect's target, or a record of the operator's
 * state restored into this task after a rescale) gets this task's share ({@link HostLimiter}). The
 * records of the second kind are counted in {@code streamlip.fetch_foreign_host}.
 */
final class FetchFunction extends RichAsyncFunction<KafkaEnvelope, FetchOutcome> {
    private static final long serialVersionUID = 1L;

    private final FetchConfig config;
    private final PairCurator curator;
    private final AvroSerde<RawPair> serde = AvroSerde.of(RawPair.class);
    private final RawPairPeek peek = RawPairPeek.forRawPairs();
    private final boolean keyedByHost;
    private transient ImageFetcher fetcher;
    private transient HostLimiter.HostShare share;
    private transient Counter foreignHost;

    /**
     * @param keyedByHost whether the input is keyed by {@link FetchHostKey} (else every host is
     *     this task's own)
     */
    FetchFunction(FilterConfig config, boolean keyedByHost) {
        this.config = config.fetch();
        this.curator = PairCurator.withoutEvalSets(config);
        this.keyedByHost = keyedByHost;
    }

    @Override
    public void open(OpenContext openContext) {
        share = keyedByHost ? share(getRuntimeContext().getTaskInfo()) : HostLimiter.HostShare.ALL;
        fetcher = new ImageFetcher(config, share);
        foreignHost =
                getRuntimeContext()
                        .getMetricGroup()
                        .addGroup("streamlip")
                        .counter("fetch_foreign_host");
    }

    /** The hosts a task of a stage keyed by {@link FetchHostKey} receives: its key groups'. */
    static HostLimiter.HostShare share(TaskInfo task) {
        int maxParallelism = task.getMaxNumberOfParallelSubtasks();
        int parallelism = task.getNumberOfParallelSubtasks();
        int index = task.getIndexOfThisSubtask();
        return new HostLimiter.HostShare(
                host ->
                        KeyGroupRangeAssignment.assignKeyToParallelOperator(
                                        host, maxParallelism, parallelism)
                                == index,
                parallelism);
    }

    @Override
    public void close() {
        if (fetcher != null) {
            fetcher.close();
        }
    }

    @Override
    public void asyncInvoke(KafkaEnvelope envelope, ResultFuture<FetchOutcome> out) {
        if (peek.peek(envelope.value).kind() == RawPairPeek.Kind.INLINE) {
            // Most records carry their bytes: no decode here, curation decodes them once.
            out.complete(List.of(FetchOutcome.unchanged(envelope)));
            return;
        }
        RawPair pair;
        try {
            pair = serde.decode(envelope.value);
        } catch (RuntimeException e) {
            out.complete(List.of(FetchOutcome.unchanged(envelope))); // curation rejects it
            return;
        }
        if (pair.getImage() != null
                || pair.getImageUrl() == null
                || curator.refusalBeforeImage(pair, envelope.value).isPresent()) {
            out.complete(List.of(FetchOutcome.unchanged(envelope)));
            return;
        }
        if (!share.owns().test(FetchHostKey.host(pair.getImageUrl()))) {
            foreignHost.inc(); // restored here after a rescale: fetched under this task's share
        }
        long start = System.nanoTime();
        fetcher.fetch(pair.getImageUrl())
                .whenComplete(
                        (verdict, error) -> {
                            long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
                            out.complete(List.of(outcome(envelope, pair, verdict, error, micros)));
                        });
    }

    private FetchOutcome outcome(
            KafkaEnvelope envelope,
            RawPair pair,
            Verdict<ImageFetcher.FetchedImage> verdict,
            Throwable error,
            long micros) {
        String id = pair.getId();
        if (error != null) { // the fetcher never fails a future; kept as a reject regardless
            return FetchOutcome.refused(
                    envelope, id, RejectReason.INTERNAL_ERROR, error.toString(), micros);
        }
        if (verdict instanceof Verdict.Refused<ImageFetcher.FetchedImage> refused) {
            return FetchOutcome.refused(envelope, id, refused.reason(), refused.detail(), micros);
        }
        byte[] image = verdict.value().bytes();
        // The all-fields constructor shares the bytes; a builder copy would copy them.
        RawPair withImage =
                new RawPair(
                        pair.getId(),
                        ByteBuffer.wrap(image),
                        pair.getImageUrl(),
                        pair.getAltText(),
                        pair.getPageTitle(),
                        pair.getPageContext(),
                        pair.getSource(),
                        pair.getCrawlTime(),
                        pair.getLangHint(),
                        pair.getAttributes());
        KafkaEnvelope fetched =
                new KafkaEnvelope(
                        envelope.key,
                        serde.encode(withImage),
                        envelope.topic,
                        envelope.partition,
                        envelope.offset,
                        envelope.timestamp);
        return FetchOutcome.fetched(fetched, id, micros, image.length);
    }

    @Override
    public void timeout(KafkaEnvelope envelope, ResultFuture<FetchOutcome> out) {
        String id = null;
        try {
            id = serde.decode(envelope.value).getId();
        } catch (RuntimeException e) {
            // the id stays unknown
        }
        out.complete(
                List.of(
                        FetchOutcome.refused(
                                envelope,
                                id,
                                RejectReason.FETCH_TIMEOUT,
                                "the fetch stage gave up after "
                                        + config.operatorTimeout().toMillis()
                                        + " ms",
                                -1)));
    }
}
