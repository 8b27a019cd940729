package io.streamlip.filter.fetch;

import static io.streamlip.filter.fetch.LocalImageServer.send;
import static io.streamlip.filter.fetch.LocalImageServer.status;
import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.platform.image.TestImages;
import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link ImageFetcher} against the JDK's HTTP server on loopback. */
class ImageFetcherTest {
    private static final byte[] PNG = TestImages.png(40, 30);

    /** Loopback allowed (the server is there), short limits so failures come fast. */
    private static final FetchConfig LOCAL =
            FetchConfig.builder()
                    .allowedNetworks(List.of("127.0.0.0/8", "::1/128")) // localhost as well
                    .connectTimeout(Duration.ofSeconds(2))
                    .readTimeout(Duration.ofMillis(500))
                    .totalTimeout(Duration.ofSeconds(10))
                    .retryBackoff(Duration.ofMillis(50))
                    .maxBytes(1024 * 1024)
                    .build();

    private LocalImageServer server;

    @BeforeEach
    void start() throws Exception {
        server = new LocalImageServer(40);
        server.on("/ok.png", x -> send(x, "image/png", PNG));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void fetchesAnImageWithTheConfiguredUserAgent() throws Exception {
        List<String> agents = new CopyOnWriteArrayList<>();
        server.on(
                "/agent.png",
                x -> {
                    agents.add(x.getRequestHeaders().getFirst("User-Agent"));
                    send(x, "image/png; charset=binary", PNG);
                });
        try (ImageFetcher fetcher =
                new ImageFetcher(LOCAL.toBuilder().userAgent("testbot/2.0 (+x)").build())) {
            ImageFetcher.FetchedImage image = accepted(fetcher, server.url("/agent.png"));
            assertThat(image.bytes()).isEqualTo(PNG);
            assertThat(image.mediaType()).isEqualTo("image/png");
            assertThat(image.attempts()).isEqualTo(1);
        }
        assertThat(agents).containsExactly("testbot/2.0 (+x)");
    }

    @Test
    void aSilentServerIsATimeoutAndRetriesAreBounded() throws Exception {
        server.on(
                "/slow.png",
                x -> {
                    Thread.sleep(3000);
                    send(x, "image/png", PNG);
                });
        server.on(
                "/stalls.png",
                x -> {
                    x.getResponseHeaders().set("Content-Type", "image/png");
                    x.sendResponseHeaders(200, PNG.length);
                    OutputStream out = x.getResponseBody();
                    out.write(PNG, 0, 10);
                    out.flush();
                    Thread.sleep(3000); // silent mid-body
                    out.write(PNG, 10, PNG.length - 10);
                });
        FetchConfig once = LOCAL.toBuilder().maxRetries(1).build();
        try (ImageFetcher fetcher = new ImageFetcher(once)) {
            long t0 = System.nanoTime();
            assertRefused(fetcher, server.url("/slow.png"), RejectReason.FETCH_TIMEOUT, "2 tries");
            // Each try ends well before the server's 3 s (connect + read timeout: 2.5 s at most).
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(6));
            t0 = System.nanoTime();
            assertRefused(
                    fetcher, server.url("/stalls.png"), RejectReason.FETCH_TIMEOUT, "no body data");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(6));
        }
        assertThat(server.hits("/slow.png")).isEqualTo(2);
        assertThat(server.hits("/stalls.png")).isEqualTo(2);
    }

    @Test
    void theTotalTimeoutEndsATrickle() throws Exception {
        server.on(
                "/trickle.png",
                x -> {
                    x.getResponseHeaders().set("Content-Type", "image/png");
                    x.sendResponseHeaders(200, 0);
                    OutputStream out = x.getResponseBody();
                    for (int i = 0; i < 100; i++) {
                        out.write(0);
                        out.flush();
                        Thread.sleep(100); // never silent for the read timeout
                    }
                });
        FetchConfig total = LOCAL.toBuilder().totalTimeout(Duration.ofMillis(800)).build();
        try (ImageFetcher fetcher = new ImageFetcher(total)) {
            long t0 = System.nanoTime();
            assertRefused(
                    fetcher, server.url("/trickle.png"), RejectReason.FETCH_TIMEOUT, "800 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void aHugeBodyIsCutOffWhileItStreams() throws Exception {
        int huge = 32 * 1024 * 1024;
        AtomicLong written = new AtomicLong();
        server.on(
                "/declared.png",
                x -> {
                    x.getResponseHeaders().set("Content-Type", "image/png");
                    x.sendResponseHeaders(200, huge);
                    write(x.getResponseBody(), huge, new AtomicLong());
                });
        server.on(
                "/chunked.png",
                x -> {
                    x.getResponseHeaders().set("Content-Type", "image/png");
                    x.sendResponseHeaders(200, 0); // chunked: no length to refuse up front
                    write(x.getResponseBody(), huge, written);
                });
        // A long read timeout: a loaded machine's pauses must not pass for a silent server here.
        FetchConfig patient = LOCAL.toBuilder().readTimeout(Duration.ofSeconds(5)).build();
        try (ImageFetcher fetcher = new ImageFetcher(patient)) {
            assertRefused(
                    fetcher,
                    server.url("/declared.png"),
                    RejectReason.FETCH_TOO_LARGE,
                    "Content-Length");
            assertRefused(
                    fetcher,
                    server.url("/chunked.png"),
                    RejectReason.FETCH_TOO_LARGE,
                    "passed 1048576");
        }
        Thread.sleep(300);
        // The client closed the connection: the server could not send the rest.
        assertThat(written.get()).isLessThan(huge / 2);
    }

    @Test
    void redirectsAreFollowedUpToTheLimit() throws Exception {
        server.on("/a", x -> status(x, 301, "Location", "/b"));
        server.on("/b", x -> status(x, 307, "Location", server.url("/ok.png")));
        server.on("/loop", x -> status(x, 302, "Location", "/loop"));
        server.on("/nowhere", x -> status(x, 302));
        try (ImageFetcher fetcher = new ImageFetcher(LOCAL.toBuilder().maxRedirects(3).build())) {
            ImageFetcher.FetchedImage image = accepted(fetcher, server.url("/a"));
            assertThat(image.bytes()).isEqualTo(PNG);
            assertThat(image.uri().getPath()).isEqualTo("/ok.png");
            assertRefused(
                    fetcher, server.url("/loop"), RejectReason.FETCH_REDIRECTS, "more than 3");
            assertRefused(
                    fetcher,
                    server.url("/nowhere"),
                    RejectReason.FETCH_REDIRECTS,
                    "without a Location");
        }
        assertThat(server.hits("/loop")).isEqualTo(4);
    }

    @Test
    void aRedirectToAnotherHostIsFollowedOrRefusedAsConfigured() throws Exception {
        String other = "http://localhost:" + server.port() + "/ok.png";
        server.on("/elsewhere", x -> status(x, 302, "Location", other));
        server.on("/same-host", x -> status(x, 302, "Location", "/ok.png"));
        try (ImageFetcher fetcher = new ImageFetcher(LOCAL)) {
            ImageFetcher.FetchedImage image = accepted(fetcher, server.url("/elsewhere"));
            assertThat(image.uri().getHost()).isEqualTo("localhost");
        }
        FetchConfig refuse = LOCAL.toBuilder().crossHost(FetchConfig.CrossHost.REFUSE).build();
        try (ImageFetcher fetcher = new ImageFetcher(refuse)) {
            assertRefused(
                    fetcher,
                    server.url("/elsewhere"),
                    RejectReason.FETCH_CROSS_HOST,
                    "to another host, " + other);
            // A redirect on the same host is no cross-host redirect.
            assertThat(accepted(fetcher, server.url("/same-host")).bytes()).isEqualTo(PNG);
        }
        assertThat(server.hits("/ok.png")).isEqualTo(2); // not fetched when refused
    }

    @Test
    void aRedirectToAHostTheTaskDoesNotOwnTakesItsShareOfTheSlots() throws Exception {
        server.on(
                "/held.png",
                x -> {
                    Thread.sleep(100);
                    send(x, "image/png", PNG);
                });
        String held = "http://localhost:" + server.port() + "/held.png";
        server.on("/to-localhost", x -> status(x, 302, "Location", held));
        // A task of 2 that owns 127.0.0.1 only: 4 slots there, 2 at localhost.
        HostLimiter.HostShare share = new HostLimiter.HostShare("127.0.0.1"::equals, 2);
        FetchConfig four = LOCAL.toBuilder().perHostConcurrency(4).build();
        try (ImageFetcher fetcher = new ImageFetcher(four, InetAddress::getAllByName, share)) {
            List<CompletableFuture<Verdict<ImageFetcher.FetchedImage>>> all = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                all.add(fetcher.fetch(server.url("/to-localhost?i=" + i)));
            }
            for (CompletableFuture<Verdict<ImageFetcher.FetchedImage>> f : all) {
                assertThat(f.get(30, TimeUnit.SECONDS).accepted()).isTrue();
            }
        }
        assertThat(server.hits("/held.png")).isEqualTo(12);
        assertThat(server.mostAtOnce("localhost")).isBetween(1, 2);
    }

    @Test
    void aRedirectToAPrivateAddressIsRefusedAtThatHop() throws Exception {
        server.on("/to-private", x -> status(x, 302, "Location", "http://10.11.12.13/x.png"));
        try (ImageFetcher fetcher = new ImageFetcher(LOCAL)) {
            assertRefused(
                    fetcher, server.url("/to-private"), RejectReason.FETCH_ADDRESS, "10.11.12.13");
        }
        // Without the loopback allowance the first hop is refused: the server sees nothing.
        try (ImageFetcher fetcher = new ImageFetcher(FetchConfig.defaults())) {
            assertRefused(fetcher, server.url("/ok.png"), RejectReason.FETCH_ADDRESS, "127.0.0.1");
        }
        assertThat(server.hits("/ok.png")).isZero();
    }

    @Test
    void a429IsRetriedAfterItsRetryAfter() throws Exception {
        List<Long> times = new CopyOnWriteArrayList<>();
        server.on(
                "/busy.png",
                x -> {
                    times.add(System.nanoTime());
                    if (times.size() == 1) {
                        status(x, 429, "Retry-After", "1");
                    } else {
                        send(x, "image/png", PNG);
                    }
                });
        server.on("/later.png", x -> status(x, 429, "Retry-After", "3600"));
        server.on("/down.png", x -> status(x, 503));
        server.on("/gone.png", x -> status(x, 404));
        try (ImageFetcher fetcher = new ImageFetcher(LOCAL)) {
            ImageFetcher.FetchedImage image = accepted(fetcher, server.url("/busy.png"));
            assertThat(image.attempts()).isEqualTo(2);
            assertThat(times).hasSize(2);
            assertThat(Duration.ofNanos(times.get(1) - times.get(0)))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(950));
            // A Retry-After beyond the deadline is not waited for.
            assertRefused(
                    fetcher, server.url("/later.png"), RejectReason.FETCH_HTTP_4XX, "deadline");
            assertRefused(fetcher, server.url("/down.png"), RejectReason.FETCH_HTTP_5XX, "3 tries");
            assertRefused(
                    fetcher, server.url("/gone.png"), RejectReason.FETCH_HTTP_4XX, "HTTP 404");
        }
        assertThat(server.hits("/later.png")).isEqualTo(1);
        assertThat(server.hits("/down.png")).isEqualTo(3);
        assertThat(server.hits("/gone.png")).isEqualTo(1);
    }

    @Test
    void anOptOutHeaderRefusesTheImage() throws Exception {
        server.on("/noai.png", x -> optOut(x, "noindex, noai"));
        server.on("/scoped.png", x -> optOut(x, "streamlip-fetch: noimageai"));
        server.on("/other-bot.png", x -> optOut(x, "otherbot: noai"));
        try (ImageFetcher fetcher = new ImageFetcher(LOCAL)) {
            assertRefused(fetcher, server.url("/noai.png"), RejectReason.OPTED_OUT, "noai");
            assertRefused(fetcher, server.url("/scoped.png"), RejectReason.OPTED_OUT, "noimageai");
            assertThat(accepted(fetcher, server.url("/other-bot.png")).bytes()).isEqualTo(PNG);
        }
    }

    @Test
    void aMediaTypeOutsideTheAllowlistIsRefused() throws Exception {
        server.on("/page", x -> send(x, "text/html; charset=utf-8", "<html>".getBytes()));
        server.on(
                "/untyped",
                x -> {
                    x.sendResponseHeaders(200, PNG.length);
                    x.getResponseBody().write(PNG);
                });
        try (ImageFetcher fetcher = new ImageFetcher(LOCAL)) {
            assertRefused(
                    fetcher, server.url("/page"), RejectReason.FETCH_CONTENT_TYPE, "text/html");
        }
        try (ImageFetcher any =
                new ImageFetcher(LOCAL.toBuilder().contentTypes(List.of("image/*")).build())) {
            assertThat(accepted(any, server.url("/ok.png")).bytes()).isEqualTo(PNG);
        }
    }

    @Test
    void aResetConnectionIsAnIoFailure() throws Exception {
        try (ServerSocket resetting = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            // Every connection (the client may retry a GET once by itself) is reset.
            Thread acceptor =
                    new Thread(
                            () -> {
                                while (!resetting.isClosed()) {
                                    try (Socket s = resetting.accept()) {
                                        InputStream in = s.getInputStream();
                                        in.read(new byte[1024]); // the request
                                        s.setSoLinger(true, 0); // close with a TCP reset
                                    } catch (Exception e) {
                                        // closed by the test
                                    }
                                }
                            });
            acceptor.setDaemon(true);
            acceptor.start();
            try (ImageFetcher fetcher = new ImageFetcher(LOCAL)) {
                assertRefused(
                        fetcher,
                        "http://127.0.0.1:" + resetting.getLocalPort() + "/x.png",
                        RejectReason.FETCH_IO,
                        "");
            }
        }
    }

    @Test
    void badUrlsAndUnknownHostsAreRefusedWithTheirReasons() throws Exception {
        try (ImageFetcher fetcher = new ImageFetcher(LOCAL)) {
            assertRefused(fetcher, "ftp://example.org/x.png", RejectReason.FETCH_URL, "http(s)");
            assertRefused(fetcher, "not a url", RejectReason.FETCH_URL, "");
            assertRefused(fetcher, "/relative.png", RejectReason.FETCH_URL, "");
            assertRefused(
                    fetcher,
                    "http://no-such-host.invalid/x.png",
                    RejectReason.FETCH_DNS,
                    "no-such-host.invalid");
        }
        ImageFetcher closed = new ImageFetcher(LOCAL);
        closed.close();
        assertRefused(closed, server.url("/ok.png"), RejectReason.FETCH_IO, "closed");
    }

    @Test
    void theHostLimitHoldsUnderLoadWithoutAThreadPerRequest() throws Exception {
        server.on(
                "/held.png",
                x -> {
                    Thread.sleep(100);
                    send(x, "image/png", PNG);
                });
        int requests = 30;
        FetchConfig three = LOCAL.toBuilder().perHostConcurrency(3).build();
        try (ImageFetcher fetcher = new ImageFetcher(three)) {
            long t0 = System.nanoTime();
            List<CompletableFuture<Verdict<ImageFetcher.FetchedImage>>> all = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                all.add(fetcher.fetch(server.url("/held.png?i=" + i)));
            }
            for (CompletableFuture<Verdict<ImageFetcher.FetchedImage>> f : all) {
                assertThat(f.get(30, TimeUnit.SECONDS).accepted()).isTrue();
            }
            // 30 requests, 3 at a time, 100 ms each: at least 10 rounds.
            assertThat(Duration.ofNanos(System.nanoTime() - t0))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(950));
            assertThat(fetcher.hostsTracked()).isZero();
        }
        assertThat(server.hits("/held.png")).isEqualTo(requests);
        assertThat(server.mostAtOnce()).isBetween(2, 3);
    }

    @Test
    void theHostRateSpacesRequests() throws Exception {
        FetchConfig rated = LOCAL.toBuilder().perHostRate(20).build();
        try (ImageFetcher fetcher = new ImageFetcher(rated)) {
            long t0 = System.nanoTime();
            List<CompletableFuture<Verdict<ImageFetcher.FetchedImage>>> all = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                all.add(fetcher.fetch(server.url("/ok.png?i=" + i)));
            }
            for (CompletableFuture<Verdict<ImageFetcher.FetchedImage>> f : all) {
                assertThat(f.get(30, TimeUnit.SECONDS).accepted()).isTrue();
            }
            // 10 starts 50 ms apart: the last at least 450 ms after the first.
            assertThat(Duration.ofNanos(System.nanoTime() - t0))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(440));
        }
    }

    private static void optOut(com.sun.net.httpserver.HttpExchange x, String tag) throws Exception {
        x.getResponseHeaders().add("X-Robots-Tag", tag);
        send(x, "image/png", PNG);
    }

    private static void write(OutputStream out, long total, AtomicLong written) throws Exception {
        byte[] chunk = new byte[64 * 1024];
        for (long sent = 0; sent < total; sent += chunk.length) {
            out.write(chunk);
            written.addAndGet(chunk.length);
        }
        out.close();
    }

    static ImageFetcher.FetchedImage accepted(ImageFetcher fetcher, String url) throws Exception {
        Verdict<ImageFetcher.FetchedImage> v = fetcher.fetch(url).get(30, TimeUnit.SECONDS);
        assertThat(v.accepted()).as("%s: %s", url, v).isTrue();
        return v.value();
    }

    static void assertRefused(ImageFetcher fetcher, String url, RejectReason reason, String detail)
            throws Exception {
        Verdict<ImageFetcher.FetchedImage> v = fetcher.fetch(url).get(30, TimeUnit.SECONDS);
        assertThat(v).as(url).isInstanceOf(Verdict.Refused.class);
        Verdict.Refused<ImageFetcher.FetchedImage> refused =
                (Verdict.Refused<ImageFetcher.FetchedImage>) v;
        assertThat(refused.reason()).as("%s: %s", url, refused.detail()).isEqualTo(reason);
        assertThat(refused.detail()).contains(detail);
    }
}
