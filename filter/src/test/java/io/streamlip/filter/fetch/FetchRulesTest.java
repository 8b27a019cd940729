package io.streamlip.filter.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.filter.config.FilterArguments;
import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.curate.PairCurator;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The fetcher's rules without a server: addresses, headers, host slots and the options. */
class FetchRulesTest {

    @Test
    void onlyPublicOrAllowedAddressesPass() throws Exception {
        AddressPolicy strict = new AddressPolicy(List.of());
        for (String refused :
                List.of(
                        "127.0.0.1",
                        "10.1.2.3",
                        "172.20.0.1",
                        "192.168.1.1",
                        "169.254.169.254",
                        "100.64.0.1",
                        "0.0.0.0",
                        "224.0.0.1",
                        "::1",
                        "fe80::1",
                        "fd00::1",
                        "::ffff:10.0.0.1")) {
            assertThat(strict.refusal(new InetAddress[] {InetAddress.getByName(refused)}))
                    .as(refused)
                    .isPresent();
        }
        for (String open : List.of("8.8.8.8", "151.101.1.1", "2606:4700::1111")) {
            assertThat(strict.refusal(new InetAddress[] {InetAddress.getByName(open)}))
                    .as(open)
                    .isEmpty();
        }
        // One non-public address among public ones refuses the host.
        assertThat(
                        strict.refusal(
                                new InetAddress[] {
                                    InetAddress.getByName("8.8.8.8"),
                                    InetAddress.getByName("10.0.0.1")
                                }))
                .hasValueSatisfying(r -> assertThat(r).contains("10.0.0.1").contains("10.0.0.0/8"));
        AddressPolicy loopback = new AddressPolicy(List.of("127.0.0.0/8", "::1"));
        assertThat(loopback.refusal(new InetAddress[] {InetAddress.getByName("127.0.0.2")}))
                .isEmpty();
        assertThat(loopback.refusal(new InetAddress[] {InetAddress.getByName("::1")})).isEmpty();
        assertThat(loopback.refusal(new InetAddress[] {InetAddress.getByName("10.0.0.1")}))
                .isPresent();
        assertThatThrownBy(() -> Cidr.parse("example.org/8")).hasMessageContaining("not a network");
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).hasMessageContaining("[0, 32]");
    }

    @Test
    void optOutsApplyUnlessScopedToAnotherCrawler() {
        String me = ResponseRules.agentToken("Streamlip-Fetch/1.0 (+https://x)");
        assertThat(me).isEqualTo("streamlip-fetch");
        assertThat(ResponseRules.optOut(List.of("noai"), me)).hasValue("noai");
        assertThat(ResponseRules.optOut(List.of("noindex, NoImageAI"), me)).hasValue("noimageai");
        assertThat(ResponseRules.optOut(List.of("otherbot: noai, noimageai"), me)).isEmpty();
        assertThat(ResponseRules.optOut(List.of("streamlip-fetch: noai"), me))
                .hasValue("streamlip-fetch: noai");
        assertThat(ResponseRules.optOut(List.of("max-image-preview: large, noai"), me))
                .hasValue("noai");
        assertThat(ResponseRules.optOut(List.of("noindex, nofollow"), me)).isEmpty();
    }

    @Test
    void retryAfterReadsSecondsAndDates() {
        Instant now = Instant.parse("2026-12-06T10:00:00Z");
        assertThat(ResponseRules.retryAfter(Optional.of("7"), now)).hasValue(Duration.ofSeconds(7));
        assertThat(ResponseRules.retryAfter(Optional.of("Sun, 06 Dec 2026 10:00:30 GMT"), now))
                .hasValue(Duration.ofSeconds(30));
        assertThat(ResponseRules.retryAfter(Optional.of("soon"), now)).isEmpty();
        assertThat(ResponseRules.retryAfter(Optional.empty(), now)).isEmpty();
        assertThat(ResponseRules.allowed("image/png", List.of("image/jpeg", "image/png"))).isTrue();
        assertThat(ResponseRules.allowed("image/webp", List.of("image/*"))).isTrue();
        assertThat(ResponseRules.allowed("text/html", List.of("image/*"))).isFalse();
        assertThat(ResponseRules.mediaType(" Image/PNG ; charset=x")).isEqualTo("image/png");
    }

    @Test
    void aHostsSlotsAreHandedOutInOrderAndCancelledWaitersSkipped() throws Exception {
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
        try {
            HostLimiter limiter = new HostLimiter(2, 0, timers);
            CompletableFuture<HostLimiter.Permit> a = limiter.acquire("h");
            CompletableFuture<HostLimiter.Permit> b = limiter.acquire("h");
            CompletableFuture<HostLimiter.Permit> c = limiter.acquire("h");
            CompletableFuture<HostLimiter.Permit> d = limiter.acquire("h");
            CompletableFuture<HostLimiter.Permit> other = limiter.acquire("other");
            assertThat(a).isDone();
            assertThat(b).isDone();
            assertThat(other).isDone();
            assertThat(c).isNotDone();
            c.cancel(false); // gave up waiting
            a.get().release();
            a.get().release(); // twice is once
            assertThat(d).isDone();
            assertThat(limiter.acquire("h")).isNotDone();
            b.get().release();
            d.get().release();
            other.get().release();
            assertThat(limiter.hostsTracked()).isEqualTo(1); // "h" still has the last one out
        } finally {
            timers.shutdownNow();
        }
    }

    @Test
    void aHostThisTaskDoesNotOwnGetsItsShareOfTheLimits() throws Exception {
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
        try {
            // Task of 2 that owns "mine": 6 slots there, 6 / 2 = 3 at any other host.
            HostLimiter.HostShare share = new HostLimiter.HostShare("mine"::equals, 2);
            HostLimiter limiter = new HostLimiter(6, 0, share, timers);
            assertThat(limiter.owns("mine")).isTrue();
            assertThat(limiter.owns("theirs")).isFalse();
            List<CompletableFuture<HostLimiter.Permit>> mine = new ArrayList<>();
            List<CompletableFuture<HostLimiter.Permit>> theirs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                mine.add(limiter.acquire("mine"));
                theirs.add(limiter.acquire("theirs"));
            }
            assertThat(mine.stream().filter(CompletableFuture::isDone)).hasSize(6);
            assertThat(theirs.stream().filter(CompletableFuture::isDone)).hasSize(3);
            theirs.get(0).get().release();
            assertThat(theirs.get(3)).isDone();
            assertThat(theirs.get(4)).isNotDone();
            // At least one slot, whatever the parallelism.
            assertThat(HostLimiter.HostShare.slots(6, 2)).isEqualTo(3);
            assertThat(HostLimiter.HostShare.slots(2, 8)).isEqualTo(1);
        } finally {
            timers.shutdownNow();
        }
    }

    @Test
    void aHostThisTaskDoesNotOwnGetsItsShareOfTheRate() throws Exception {
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
        try {
            // 20 a second job-wide, 4 tasks: 5 a second, 200 ms apart, at a host not owned.
            HostLimiter limiter =
                    new HostLimiter(10, 20, new HostLimiter.HostShare(h -> false, 4), timers);
            long t0 = System.nanoTime();
            CompletableFuture<HostLimiter.Permit> first = limiter.acquire("theirs");
            CompletableFuture<HostLimiter.Permit> second = limiter.acquire("theirs");
            assertThat(first).isDone();
            second.get(5, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - t0))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(195));
        } finally {
            timers.shutdownNow();
        }
    }

    @Test
    void aHostsRateSpacesItsSlots() throws Exception {
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
        try {
            HostLimiter limiter = new HostLimiter(10, 10, timers); // 100 ms apart
            long t0 = System.nanoTime();
            CompletableFuture<HostLimiter.Permit> first = limiter.acquire("h");
            CompletableFuture<HostLimiter.Permit> second = limiter.acquire("h");
            assertThat(first).isDone();
            assertThat(second).isNotDone();
            second.get(5, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - t0))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(95));
            first.get().release();
            second.get().release();
            Thread.sleep(300);
            assertThat(limiter.hostsTracked()).isZero(); // dropped once the pause passed
        } finally {
            timers.shutdownNow();
        }
    }

    @Test
    void noImageIsFetchedForAPairItsCaptionDooms() {
        PairCurator curator = PairCurator.withoutEvalSets(FilterConfig.defaults());
        RawPair good =
                RawPair.newBuilder()
                        .setId("p")
                        .setImageUrl("https://example.org/cat.jpg")
                        .setAltText("a grey cat asleep on a red sofa")
                        .setSource("test")
                        .setCrawlTime(Instant.now())
                        .setAttributes(Map.of())
                        .build();
        assertThat(curator.refusalBeforeImage(good, null)).isEmpty();
        RawPair boilerplate = RawPair.newBuilder(good).setAltText("IMG_0042.jpg").build();
        assertThat(curator.refusalBeforeImage(boilerplate, null))
                .hasValueSatisfying(
                        r -> assertThat(r.reason()).isEqualTo(RejectReason.CAPTION_BOILERPLATE));
        // Not fetched (the fetch stage passes such a pair on unchanged when it is off).
        assertThat(curator.curate(good, Instant.now()))
                .isEqualTo(
                        Verdict.refuse(
                                RejectReason.IMAGE_MISSING,
                                "only an image_url (https://example.org/cat.jpg), not fetched"));
        FilterConfig off =
                FilterConfig.builder().fetch(FetchConfig.builder().enabled(false).build()).build();
        assertThat(
                        ((Verdict.Refused<?>)
                                        PairCurator.withoutEvalSets(off)
                                                .curate(good, Instant.now()))
                                .detail())
                .endsWith("fetching is off (--fetch false)");
    }

    @Test
    void theOptionsSetEveryFetchSettingAndRefuseBadValuesByName() {
        FilterConfig config =
                FilterArguments.apply(
                        Map.ofEntries(
                                Map.entry("fetch", "false"),
                                Map.entry("fetch-connect-timeout", "250ms"),
                                Map.entry("fetch-read-timeout", "3s"),
                                Map.entry("fetch-timeout", "PT1M"),
                                Map.entry("fetch-max-bytes", "1000000"),
                                Map.entry("fetch-max-redirects", "2"),
                                Map.entry("fetch-cross-host", "Refuse"),
                                Map.entry("fetch-retries", "0"),
                                Map.entry("fetch-retry-backoff", "100ms"),
                                Map.entry("fetch-per-host", "4"),
                                Map.entry("fetch-per-host-rate", "2.5"),
                                Map.entry("fetch-in-flight", "128"),
                                Map.entry("fetch-user-agent", "mybot/3"),
                                Map.entry("fetch-content-types", "image/*"),
                                Map.entry("fetch-allow-private", "127.0.0.0/8, ::1")),
                        FilterConfig.defaults());
        FetchConfig f = config.fetch();
        assertThat(f)
                .isEqualTo(
                        FetchConfig.builder()
                                .enabled(false)
                                .connectTimeout(Duration.ofMillis(250))
                                .readTimeout(Duration.ofSeconds(3))
                                .totalTimeout(Duration.ofMinutes(1))
                                .maxBytes(1_000_000)
                                .maxRedirects(2)
                                .crossHost(FetchConfig.CrossHost.REFUSE)
                                .maxRetries(0)
                                .retryBackoff(Duration.ofMillis(100))
                                .perHostConcurrency(4)
                                .perHostRate(2.5)
                                .maxInFlight(128)
                                .userAgent("mybot/3")
                                .contentTypes(List.of("image/*"))
                                .allowedNetworks(List.of("127.0.0.0/8", "::1"))
                                .build());
        // The values read back into the same configuration.
        assertThat(FilterArguments.apply(FilterArguments.values(config), FilterConfig.defaults()))
                .isEqualTo(config);
        assertThat(FilterArguments.of(FilterConfig.defaults())).isEmpty();
        assertThatThrownBy(
                        () ->
                                FilterArguments.apply(
                                        Map.of("fetch-timeout", "soon"), FilterConfig.defaults()))
                .hasMessageContaining("--fetch-timeout");
        assertThatThrownBy(
                        () ->
                                FilterArguments.apply(
                                        Map.of("fetch-allow-private", "intranet"),
                                        FilterConfig.defaults()))
                .hasMessageContaining("--fetch-*")
                .hasMessageContaining("not a network");
        assertThatThrownBy(
                        () ->
                                FilterArguments.apply(
                                        Map.of(
                                                "fetch-max-bytes",
                                                "67108864",
                                                "fetch-in-flight",
                                                "64"),
                                        FilterConfig.defaults()))
                .hasMessageContaining("maxInFlight x maxBytes");
    }
}
