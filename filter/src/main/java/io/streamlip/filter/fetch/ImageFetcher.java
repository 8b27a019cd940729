package io.streamlip.filter.fetch;

import io.streamlip.platform.bounds.BoundedText;
import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fetches images over HTTP(S) without a thread per request, under {@link FetchConfig}'s limits.
 * {@link #fetch} answers a future that always completes, within {@link FetchConfig#totalTimeout}
 * (plus timer latency), with the image's bytes or a refusal whose reason says why ({@code
 * fetch_timeout}, {@code fetch_http_4xx}, {@code fetch_http_5xx}, {@code fetch_too_large}, {@code
 * fetch_content_type}, {@code fetch_dns}, {@code fetch_address}, {@code fetch_redirects}, {@code
 * fetch_cross_host}, {@code fetch_url}, {@code fetch_io}, {@code opted_out}); it never completes
 * exceptionally.
 *
 * <p>Per fetch: the URL must be absolute http(s); the host resolves (on a small pool of its own,
 * since the JDK resolver blocks) to addresses that are all public or allowed ({@link
 * AddressPolicy}); a slot of the host is taken ({@link HostLimiter}: the whole limits for a host
 * this task owns, its share for another) for the exchange; redirects are followed here, each hop
 * checked like the first, one to another host only with {@link FetchConfig.CrossHost#FOLLOW}; a
 * 429, a 5xx or a timeout is retried after its {@code Retry-After} or an exponential backoff while
 * the deadline allows; a success must carry an allowed media type and no opt-out ({@code
 * X-Robots-Tag: noai|noimageai}), and its body is cut at the byte limit while it streams. {@link
 * #close} stops the fetcher's threads; fetches still running then end as {@code fetch_io}.
 */
public final class ImageFetcher implements AutoCloseable {
    /** Threads resolving host names (the JDK resolver blocks). */
    static final int DNS_THREADS = 16;

    // How much of a redirect's or an error's body is read (then the connection is closed).
    private static final int DISCARDED_BODY_BYTES = 64 * 1024;
    private static final int QUOTED_CHARS = 200;

    private final FetchConfig config;
    private final Resolver resolver;
    private final AddressPolicy addresses;
    private final String agentToken;
    private final ExecutorService httpThreads;
    private final ExecutorService dnsThreads;
    private final ScheduledExecutorService timers;
    private final HostLimiter hosts;
    private final HttpClient client;

    /** Resolves a host name to all its addresses (blocking). */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** An image fetched: its bytes, media type, where it finally came from, and the tries made. */
    public record FetchedImage(byte[] bytes, String mediaType, URI uri, int attempts) {}

    /** A fetcher with the JVM's resolver that owns every host. */
    public ImageFetcher(FetchConfig config) {
        this(config, InetAddress::getAllByName, HostLimiter.HostShare.ALL);
    }

    /** A fetcher with the JVM's resolver, for one task of a stage keyed by host. */
    public ImageFetcher(FetchConfig config, HostLimiter.HostShare share) {
        this(config, InetAddress::getAllByName, share);
    }

    public ImageFetcher(FetchConfig config, Resolver resolver) {
        this(config, resolver, HostLimiter.HostShare.ALL);
    }

    /**
     * @param share the hosts this fetcher's task owns, and its share of the others' limits
     */
    public ImageFetcher(FetchConfig config, Resolver resolver, HostLimiter.HostShare share) {
        this.config = config;
        this.resolver = resolver;
        this.addresses = new AddressPolicy(config.allowedNetworks());
        this.agentToken = ResponseRules.agentToken(config.userAgent());
        this.httpThreads = Executors.newFixedThreadPool(2, daemon("fetch-http"));
        this.dnsThreads = Executors.newFixedThreadPool(DNS_THREADS, daemon("fetch-dns"));
        ScheduledThreadPoolExecutor scheduler =
                new ScheduledThreadPoolExecutor(1, daemon("fetch-timer"));
        scheduler.setRemoveOnCancelPolicy(true); // cancelled deadlines do not pile up
        this.timers = scheduler;
        this.hosts =
                new HostLimiter(config.perHostConcurrency(), config.perHostRate(), share, timers);
        this.client =
                HttpClient.newBuilder()
                        .connectTimeout(config.connectTimeout())
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .executor(httpThreads)
                        .build();
    }

    /** The image at {@code url}, or why not; see the class comment. */
    public CompletableFuture<Verdict<FetchedImage>> fetch(String url) {
        Fetch fetch = new Fetch();
        Verdict<URI> uri = FetchUrls.normalise(url);
        if (uri instanceof Verdict.Refused<URI> refused) {
            return fetch.fail(refused.reason(), refused.detail());
        }
        try {
            fetch.start(uri.value());
        } catch (RejectedExecutionException e) {
            fetch.fail(RejectReason.FETCH_IO, "the fetcher is closed");
        }
        return fetch.result;
    }

    /** Hosts with requests out or waiting (for tests: idle hosts hold no entry). */
    int hostsTracked() {
        return hosts.hostsTracked();
    }

    @Override
    public void close() {
        timers.shutdownNow();
        dnsThreads.shutdownNow();
        httpThreads.shutdownNow();
    }

    /** One pair's fetch: its hops and retries, under one deadline. */
    private final class Fetch {
        final CompletableFuture<Verdict<FetchedImage>> result = new CompletableFuture<>();
        final long deadlineNanos = System.nanoTime() + config.totalTimeout().toNanos();
        volatile Runnable abort = () -> {};
        volatile int hops;
        volatile int retries;

        void start(URI uri) {
            ScheduledFuture<?> deadline =
                    timers.schedule(
                            () ->
                                    fail(
                                            RejectReason.FETCH_TIMEOUT,
                                            "no image within "
                                                    + config.totalTimeout().toMillis()
                                                    + " ms (--fetch-timeout)"),
                            config.totalTimeout().toNanos(),
                            TimeUnit.NANOSECONDS);
            result.whenComplete(
                    (v, e) -> {
                        deadline.cancel(false); // else it would hold this fetch till it fires
                        abort.run();
                    });
            hop(uri);
        }

        CompletableFuture<Verdict<FetchedImage>> fail(RejectReason reason, String detail) {
            result.complete(Verdict.refuse(reason, BoundedText.truncate(detail, 1000)));
            return result;
        }

        /** One request to {@code uri}: checks, resolves, waits for a slot, sends. */
        void hop(URI uri) {
            if (result.isDone()) {
                return;
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                fail(RejectReason.FETCH_URL, "not an http(s) URL: " + quote(uri));
                return;
            }
            if (uri.getHost() == null || uri.getHost().isEmpty()) {
                fail(RejectReason.FETCH_URL, "no host in " + quote(uri));
                return;
            }
            String host = uri.getHost().toLowerCase(Locale.ROOT);
            // The slot first, then the lookup: the address checked is the one the client
            // connects to moments later (the JVM's address cache answers both), not one looked
            // up before a long wait for the slot.
            CompletableFuture<HostLimiter.Permit> slot = hosts.acquire(host);
            abort = () -> slot.cancel(false);
            if (result.isDone()) {
                slot.cancel(false);
            }
            slot.thenAccept(permit -> resolveAndSend(uri, host, permit));
        }

        /** Resolves {@code host} once, checks its addresses, then sends (holding the slot). */
        void resolveAndSend(URI uri, String host, HostLimiter.Permit permit) {
            if (result.isDone()) {
                permit.release();
                return;
            }
            CompletableFuture<InetAddress[]> lookup;
            try {
                lookup = CompletableFuture.supplyAsync(() -> resolve(host), dnsThreads);
            } catch (RejectedExecutionException e) {
                permit.release();
                fail(RejectReason.FETCH_IO, "the fetcher is closed");
                return;
            }
            abort = () -> lookup.cancel(false);
            if (result.isDone()) {
                lookup.cancel(false);
            }
            lookup.whenComplete(
                    (found, error) -> {
                        if (error != null) {
                            permit.release();
                            Throwable cause = unwrap(error);
                            if (!(cause instanceof CancellationException)) {
                                fail(
                                        RejectReason.FETCH_DNS,
                                        "cannot resolve " + host + ": " + cause.getMessage());
                            }
                            return;
                        }
                        Optional<String> refused = addresses.refusal(found);
                        if (refused.isPresent()) {
                            permit.release();
                            fail(RejectReason.FETCH_ADDRESS, host + ": " + refused.get());
                            return;
                        }
                        send(uri, permit);
                    });
        }

        private InetAddress[] resolve(String host) {
            try {
                return resolver.resolve(host);
            } catch (UnknownHostException e) {
                throw new CompletionException(e);
            }
        }

        void send(URI uri, HostLimiter.Permit permit) {
            if (result.isDone()) {
                permit.release();
                return;
            }
            HttpRequest request =
                    HttpRequest.newBuilder(uri)
                            .GET()
                            .timeout(config.connectTimeout().plus(config.readTimeout()))
                            .version(
                                    uri.getScheme().equalsIgnoreCase("https")
                                            ? HttpClient.Version.HTTP_2
                                            : HttpClient.Version.HTTP_1_1)
                            .header("User-Agent", config.userAgent())
                            .header("Accept", String.join(", ", config.contentTypes()))
                            .build();
            Reading reading = new Reading();
            CompletableFuture<HttpResponse<FetchStep>> exchange;
            try {
                exchange = client.sendAsync(request, reading::subscriber);
            } catch (IllegalArgumentException e) {
                permit.release();
                fail(
                        RejectReason.FETCH_URL,
                        "cannot request " + quote(uri) + ": " + e.getMessage());
                return;
            }
            abort =
                    () -> {
                        reading.cancel();
                        exchange.cancel(true);
                    };
            if (result.isDone()) {
                abort.run();
            }
            exchange.whenComplete(
                    (response, error) -> {
                        permit.release();
                        if (error != null) {
                            failed(uri, unwrap(error));
                        } else {
                            next(uri, response.body());
                        }
                    });
        }

        /** What to do after an exchange came to {@code step}. */
        void next(URI uri, FetchStep step) {
            if (result.isDone()) {
                return;
            }
            if (step instanceof FetchStep.Image image) {
                result.complete(
                        Verdict.accept(
                                new FetchedImage(
                                        image.bytes(), image.mediaType(), uri, retries + 1)));
            } else if (step instanceof FetchStep.Refused refused) {
                fail(refused.reason(), refused.detail());
            } else if (step instanceof FetchStep.Timeout timeout) {
                retryOrFail(uri, RejectReason.FETCH_TIMEOUT, timeout.detail(), Optional.empty());
            } else if (step instanceof FetchStep.Redirect redirect) {
                redirect(uri, redirect);
            } else if (step instanceof FetchStep.Status status) {
                int code = status.code();
                String detail = "HTTP " + code + " from " + quote(uri);
                Optional<Duration> retryAfter =
                        ResponseRules.retryAfter(status.retryAfter(), Instant.now());
                if (code == 429 || code == 408) {
                    retryOrFail(uri, RejectReason.FETCH_HTTP_4XX, detail, retryAfter);
                } else if (code >= 500) {
                    retryOrFail(uri, RejectReason.FETCH_HTTP_5XX, detail, retryAfter);
                } else if (code >= 400) {
                    fail(RejectReason.FETCH_HTTP_4XX, detail);
                } else {
                    fail(RejectReason.FETCH_IO, detail + ", neither an image nor a redirect");
                }
            }
        }

        void redirect(URI from, FetchStep.Redirect redirect) {
            if (redirect.location() == null) {
                fail(
                        RejectReason.FETCH_REDIRECTS,
                        "HTTP " + redirect.status() + " without a Location from " + quote(from));
                return;
            }
            if (hops >= config.maxRedirects()) {
                fail(
                        RejectReason.FETCH_REDIRECTS,
                        "more than "
                                + config.maxRedirects()
                                + " redirects (--fetch-max-redirects), the last from "
                                + quote(from));
                return;
            }
            Verdict<URI> to;
            try {
                String location = FetchUrls.encodeIllegal(redirect.location().strip(), true);
                to = FetchUrls.normalise(from.resolve(new URI(location)).toString());
            } catch (URISyntaxException | IllegalArgumentException e) {
                to = Verdict.refuse(RejectReason.FETCH_URL, e.getMessage());
            }
            if (to instanceof Verdict.Refused<URI> refused) {
                fail(
                        RejectReason.FETCH_URL,
                        "redirect from " + quote(from) + " to a bad URL: " + refused.detail());
                return;
            }
            if (config.crossHost() == FetchConfig.CrossHost.REFUSE
                    && !to.value().getHost().equalsIgnoreCase(from.getHost())) {
                fail(
                        RejectReason.FETCH_CROSS_HOST,
                        "redirect from "
                                + quote(from)
                                + " to another host, "
                                + quote(to.value())
                                + " (--fetch-cross-host refuse)");
                return;
            }
            hops++;
            hop(to.value());
        }

        void failed(URI uri, Throwable error) {
            if (result.isDone() || error instanceof CancellationException) {
                return;
            }
            if (error instanceof HttpTimeoutException) {
                retryOrFail(
                        uri,
                        RejectReason.FETCH_TIMEOUT,
                        error.getClass().getSimpleName() + " at " + quote(uri),
                        Optional.empty());
            } else if (error instanceof ConnectException
                    && error.getCause() instanceof UnresolvedAddressException) {
                fail(RejectReason.FETCH_DNS, "cannot resolve the host of " + quote(uri));
            } else if (error instanceof IOException) {
                fail(RejectReason.FETCH_IO, error + " at " + quote(uri));
            } else {
                fail(RejectReason.FETCH_IO, "unexpected " + error + " at " + quote(uri));
            }
        }

        /** Tries {@code uri} again after its delay if tries and the deadline allow, else fails. */
        void retryOrFail(
                URI uri, RejectReason reason, String detail, Optional<Duration> retryAfter) {
            int done = retries + 1;
            if (retries >= config.maxRetries()) {
                fail(
                        reason,
                        detail
                                + " ("
                                + done
                                + " tries, --fetch-retries "
                                + config.maxRetries()
                                + ")");
                return;
            }
            Duration delay =
                    retryAfter.orElseGet(() -> config.retryBackoff().multipliedBy(1L << retries));
            if (System.nanoTime() + delay.toNanos() - deadlineNanos >= 0) {
                fail(
                        reason,
                        detail
                                + " (retry in "
                                + delay.toMillis()
                                + " ms would pass the --fetch-timeout deadline)");
                return;
            }
            retries = done;
            try {
                timers.schedule(() -> hop(uri), delay.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                fail(RejectReason.FETCH_IO, "the fetcher is closed");
            }
        }
    }

    /** The body handling of one exchange: decided from the status and headers. */
    private final class Reading {
        private volatile BodyReader reader;

        HttpResponse.BodySubscriber<FetchStep> subscriber(HttpResponse.ResponseInfo info) {
            int status = info.statusCode();
            long length = info.headers().firstValueAsLong("Content-Length").orElse(-1);
            long readTimeout = config.readTimeout().toNanos();
            if (status >= 300 && status < 400 && status != 304) {
                String location = info.headers().firstValue("Location").orElse(null);
                return read(
                        new BodyReader(
                                DISCARDED_BODY_BYTES,
                                false,
                                -1,
                                readTimeout,
                                timers,
                                body -> new FetchStep.Redirect(status, location)));
            }
            if (status < 200 || status >= 300) {
                Optional<String> retryAfter = info.headers().firstValue("Retry-After");
                return read(
                        new BodyReader(
                                DISCARDED_BODY_BYTES,
                                false,
                                -1,
                                readTimeout,
                                timers,
                                body -> new FetchStep.Status(status, retryAfter)));
            }
            Optional<String> optOut =
                    ResponseRules.optOut(info.headers().allValues("X-Robots-Tag"), agentToken);
            if (optOut.isPresent()) {
                return BodyReader.refusing(
                        new FetchStep.Refused(
                                RejectReason.OPTED_OUT, "X-Robots-Tag: " + optOut.get()));
            }
            Optional<String> contentType = info.headers().firstValue("Content-Type");
            if (contentType.isEmpty()) {
                return BodyReader.refusing(
                        new FetchStep.Refused(RejectReason.FETCH_CONTENT_TYPE, "no Content-Type"));
            }
            String mediaType = ResponseRules.mediaType(contentType.get());
            if (!ResponseRules.allowed(mediaType, config.contentTypes())) {
                return BodyReader.refusing(
                        new FetchStep.Refused(
                                RejectReason.FETCH_CONTENT_TYPE,
                                "Content-Type "
                                        + BoundedText.truncate(contentType.get(), QUOTED_CHARS)
                                        + " is not one of "
                                        + config.contentTypes()
                                        + " (--fetch-content-types)"));
            }
            if (length > config.maxBytes()) {
                return BodyReader.refusing(
                        new FetchStep.Refused(
                                RejectReason.FETCH_TOO_LARGE,
                                "Content-Length "
                                        + length
                                        + " is more than "
                                        + config.maxBytes()
                                        + " bytes (--fetch-max-bytes)"));
            }
            return read(
                    new BodyReader(
                            config.maxBytes(),
                            true,
                            length,
                            readTimeout,
                            timers,
                            body -> new FetchStep.Image(body, mediaType)));
        }

        private BodyReader read(BodyReader r) {
            reader = r;
            return r;
        }

        void cancel() {
            BodyReader r = reader;
            if (r != null) {
                r.cancel();
            }
        }
    }

    private static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException)
                && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static String quote(URI uri) {
        return BoundedText.truncate(uri.toString(), QUOTED_CHARS);
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
