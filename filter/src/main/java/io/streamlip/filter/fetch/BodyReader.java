package io.streamlip.filter.fetch;

import io.streamlip.schemas.RejectReason;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Reads one response body with a byte limit and a read (idle) timeout, both enforced while it
 * streams: past the limit, or after {@code readTimeout} without data, it cancels the subscription
 * (the client closes the connection) and answers what happened, never more than the limit in
 * memory. Beyond the limit a body is either an error ({@code failOverLimit}: an image too large) or
 * simply cut off (the body of a redirect or an error status, which nobody reads).
 */
final class BodyReader implements HttpResponse.BodySubscriber<FetchStep> {
    private final int limit;
    private final boolean failOverLimit;
    private final long readTimeoutNanos;
    private final ScheduledExecutorService timers;
    private final Function<byte[], FetchStep> onBody;
    private final CompletableFuture<FetchStep> result = new CompletableFuture<>();
    private Flow.Subscription subscription;
    private byte[] buffer;
    private int size;
    private volatile long lastDataNanos = System.nanoTime();
    private volatile ScheduledFuture<?> idleTimer;

    /**
     * @param expectedLength the Content-Length, or -1: sizes the first buffer
     * @param onBody what a complete body (within the limit) makes
     */
    BodyReader(
            int limit,
            boolean failOverLimit,
            long expectedLength,
            long readTimeoutNanos,
            ScheduledExecutorService timers,
            Function<byte[], FetchStep> onBody) {
        this.limit = limit;
        this.failOverLimit = failOverLimit;
        this.readTimeoutNanos = readTimeoutNanos;
        this.timers = timers;
        this.onBody = onBody;
        int first = expectedLength >= 0 ? (int) Math.min(expectedLength, limit) : 16 * 1024;
        this.buffer = new byte[Math.max(1, Math.min(first, limit))];
        // A finished body lets go of its timer (and the timer of the buffer).
        result.whenComplete(
                (step, error) -> {
                    ScheduledFuture<?> timer = idleTimer;
                    if (timer != null) {
                        timer.cancel(false);
                    }
                });
    }

    /** A subscriber that reads nothing: cancels at once and answers {@code step}. */
    static HttpResponse.BodySubscriber<FetchStep> refusing(FetchStep step) {
        return new HttpResponse.BodySubscriber<>() {
            private final CompletableFuture<FetchStep> result = new CompletableFuture<>();

            @Override
            public CompletionStage<FetchStep> getBody() {
                return result;
            }

            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.cancel();
                result.complete(step);
            }

            @Override
            public void onNext(List<ByteBuffer> item) {}

            @Override
            public void onError(Throwable throwable) {
                result.complete(step);
            }

            @Override
            public void onComplete() {
                result.complete(step);
            }
        };
    }

    @Override
    public CompletionStage<FetchStep> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        synchronized (this) {
            subscription = s;
        }
        s.request(Long.MAX_VALUE);
        armIdleTimer(readTimeoutNanos);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        lastDataNanos = System.nanoTime();
        synchronized (this) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer item : items) {
                int n = item.remaining();
                if ((long) size + n > limit) {
                    subscription.cancel();
                    if (failOverLimit) {
                        result.complete(
                                new FetchStep.Refused(
                                        RejectReason.FETCH_TOO_LARGE,
                                        "the body passed " + limit + " bytes (--fetch-max-bytes)"));
                    } else {
                        result.complete(onBody.apply(Arrays.copyOf(buffer, size)));
                    }
                    return;
                }
                if (size + n > buffer.length) {
                    int grown = (int) Math.min(limit, Math.max((long) buffer.length * 2, size + n));
                    buffer = Arrays.copyOf(buffer, grown);
                }
                item.get(buffer, size, n);
                size += n;
            }
        }
    }

    @Override
    public void onError(Throwable throwable) {
        result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
        synchronized (this) {
            if (!result.isDone()) {
                byte[] body = size == buffer.length ? buffer : Arrays.copyOf(buffer, size);
                buffer = null;
                result.complete(onBody.apply(body));
            }
        }
    }

    /** Stops reading (the fetch gave up): the client closes the connection. */
    void cancel() {
        Flow.Subscription s;
        synchronized (this) {
            s = subscription;
        }
        if (s != null) {
            s.cancel();
        }
        result.cancel(false);
    }

    private void armIdleTimer(long delayNanos) {
        try {
            idleTimer = timers.schedule(this::checkIdle, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            cancel(); // the fetcher is closing
        }
        ScheduledFuture<?> timer = idleTimer;
        if (result.isDone() && timer != null) {
            timer.cancel(false);
        }
    }

    private void checkIdle() {
        if (result.isDone()) {
            return;
        }
        long idle = System.nanoTime() - lastDataNanos;
        if (idle < readTimeoutNanos) {
            armIdleTimer(readTimeoutNanos - idle);
            return;
        }
        synchronized (this) {
            if (result.isDone()) {
                return;
            }
            subscription.cancel();
            result.complete(
                    new FetchStep.Timeout(
                            "no body data for "
                                    + TimeUnit.NANOSECONDS.toMillis(readTimeoutNanos)
                                    + " ms (--fetch-read-timeout)"));
        }
    }
}
