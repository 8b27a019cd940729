package io.streamlip.app;

import static io.streamlip.filter.config.FilterArguments.BLOCKLIST_MAX_DISTANCE;
import static io.streamlip.filter.config.FilterArguments.BLOCKLIST_MAX_ENTRIES;
import static io.streamlip.filter.config.FilterArguments.BLOCKLIST_TOPIC;
import static io.streamlip.filter.config.FilterArguments.BOILERPLATE;
import static io.streamlip.filter.config.FilterArguments.CAPTION_BLOCKLIST;
import static io.streamlip.filter.config.FilterArguments.DEDUP_RETENTION;
import static io.streamlip.filter.config.FilterArguments.EVAL_MAX_DISTANCE;
import static io.streamlip.filter.config.FilterArguments.EVAL_SETS;
import static io.streamlip.filter.config.FilterArguments.IMAGE_BLOCKLIST;
import static io.streamlip.filter.config.FilterArguments.LANGUAGE_CAPS;
import static io.streamlip.filter.config.FilterArguments.LANGUAGE_CAP_WINDOW;
import static io.streamlip.filter.config.FilterArguments.LANGUAGE_ID;
import static io.streamlip.filter.config.FilterArguments.MAX_ASPECT_RATIO;
import static io.streamlip.filter.config.FilterArguments.MAX_CAPTION_CHARS;
import static io.streamlip.filter.config.FilterArguments.MAX_DECODED_PIXELS;
import static io.streamlip.filter.config.FilterArguments.MAX_IMAGE_BYTES;
import static io.streamlip.filter.config.FilterArguments.MAX_IMAGE_PIXELS;
import static io.streamlip.filter.config.FilterArguments.MIN_CAPTION_CHARS;
import static io.streamlip.filter.config.FilterArguments.MIN_IMAGE_SIDE;
import static io.streamlip.filter.config.FilterArguments.MIN_LANGUAGE_CONFIDENCE;
import static io.streamlip.filter.config.FilterArguments.NEAR_DUPLICATE_CLUSTER_CAP;
import static io.streamlip.filter.config.FilterArguments.NEAR_DUPLICATE_DISTANCE;
import static io.streamlip.filter.config.FilterArguments.NEAR_DUPLICATE_MAX_PENDING_MIB;

import io.streamlip.filter.config.FilterArguments;
import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.fetch.FetchArguments;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The curation thresholds on a command line ({@code demo}, {@code submit}) and in the {@code
 * filter:} section of a configuration file: one option per {@link FilterArguments} name, each
 * checked when given. What is not given keeps {@link FilterConfig#defaults()}.
 */
final class FilterOptions {
    private final Map<String, String> given = new LinkedHashMap<>();

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--" + MIN_IMAGE_SIDE,
            paramLabel = "PX",
            description = "Smallest accepted image width and height (default: 16).")
    void minImageSide(String v) {
        put(MIN_IMAGE_SIDE, v);
    }

    @Option(
            names = "--" + MAX_IMAGE_PIXELS,
            paramLabel = "N",
            description =
                    "Largest width x height, read from the header before decoding (default:"
                            + " 40000000).")
    void maxImagePixels(String v) {
        put(MAX_IMAGE_PIXELS, v);
    }

    @Option(
            names = "--" + MAX_IMAGE_BYTES,
            paramLabel = "BYTES",
            description = "Largest accepted encoded image (default: 8388608, 8 MiB).")
    void maxImageBytes(String v) {
        put(MAX_IMAGE_BYTES, v);
    }

    @Option(
            names = "--" + MAX_ASPECT_RATIO,
            paramLabel = "R",
            description = "Longest side over shortest side; banners refused (default: 8.0).")
    void maxAspectRatio(String v) {
        put(MAX_ASPECT_RATIO, v);
    }

    @Option(
            names = "--" + MAX_DECODED_PIXELS,
            paramLabel = "N",
            description =
                    "Most pixels one decode materialises; larger images are subsampled (default:"
                            + " 4194304, 2048 x 2048).")
    void maxDecodedPixels(String v) {
        put(MAX_DECODED_PIXELS, v);
    }

    @Option(
            names = "--" + MIN_CAPTION_CHARS,
            paramLabel = "N",
            description =
                    "Fewest code points of the normalised caption, CJK counting twice (default:"
                            + " 2).")
    void minCaptionChars(String v) {
        put(MIN_CAPTION_CHARS, v);
    }

    @Option(
            names = "--" + MAX_CAPTION_CHARS,
            paramLabel = "N",
            description = "Most code points of the normalised caption (default: 1000).")
    void maxCaptionChars(String v) {
        put(MAX_CAPTION_CHARS, v);
    }

    @Option(
            names = "--" + BOILERPLATE,
            paramLabel = "true|false",
            description =
                    "Refuse boilerplate captions (file names, 'image', 'photo', ...) as"
                            + " caption_boilerplate (default: true).")
    void boilerplate(String v) {
        put(BOILERPLATE, v);
    }

    @Option(
            names = "--" + DEDUP_RETENTION,
            paramLabel = "DURATION",
            description =
                    "How long an accepted (image, caption) pair is remembered for exact"
                            + " deduplication: 90s, 10m, 6h, 7d or PT168H (default: PT168H, 7"
                            + " days).")
    void dedupRetention(String v) {
        put(DEDUP_RETENTION, v);
    }

    @Option(
            names = "--" + LANGUAGE_ID,
            paramLabel = "true|false",
            description =
                    "Identify each caption's language (Lingua) and refuse a pair whose caption is"
                            + " not in its declared language (default: true).")
    void languageId(String v) {
        put(LANGUAGE_ID, v);
    }

    @Option(
            names = "--" + MIN_LANGUAGE_CONFIDENCE,
            paramLabel = "P",
            description =
                    "Lingua's confidence (0-1) that a caption is in another language than its"
                            + " declared one, needed to refuse it as language_mismatch (default:"
                            + " 0.95).")
    void minLanguageConfidence(String v) {
        put(MIN_LANGUAGE_CONFIDENCE, v);
    }

    @Option(
            names = "--" + LANGUAGE_CAPS,
            paramLabel = "LANG=N|LANG=P%[,...]",
            description =
                    "Most curated pairs per language, as counts or shares of all languages'"
                            + " curated pairs (e.g. en=30%%,de=2000), counted over"
                            + " --language-cap-window; a share applies once 100 pairs passed. A"
                            + " pair over its language's cap is refused as language_cap. Default:"
                            + " no cap.")
    void languageCaps(String v) {
        put(LANGUAGE_CAPS, v);
    }

    @Option(
            names = "--" + LANGUAGE_CAP_WINDOW,
            paramLabel = "W",
            description =
                    "The rolling window of processing time the language caps count in: 0 for the"
                            + " job's lifetime (the default: a capped language stays capped, as a"
                            + " cap on a finite corpus means), or a duration such as 30s, 10m, 6h,"
                            + " 1d or PT10M (at least 1 s): a capped language is accepted again as"
                            + " the window moves past its pairs.")
    void languageCapWindow(String v) {
        put(LANGUAGE_CAP_WINDOW, v);
    }

    @Option(
            names = "--" + NEAR_DUPLICATE_DISTANCE,
            paramLabel = "BITS",
            description =
                    "Images whose 64-bit perceptual hashes differ in at most BITS bits (and whose"
                            + " thumbnails agree) are near copies (default: 12).")
    void nearDuplicateDistance(String v) {
        put(NEAR_DUPLICATE_DISTANCE, v);
    }

    @Option(
            names = "--" + NEAR_DUPLICATE_CLUSTER_CAP,
            paramLabel = "N",
            description =
                    "Most pairs kept per cluster of near-copy images; the rest are refused as"
                            + " image_cluster_cap (default: 64).")
    void nearDuplicateClusterCap(String v) {
        put(NEAR_DUPLICATE_CLUSTER_CAP, v);
    }

    @Option(
            names = "--" + NEAR_DUPLICATE_MAX_PENDING_MIB,
            paramLabel = "MIB",
            description =
                    "Heap per near-duplicate join task for pairs waiting for their band answers;"
                            + " beyond it a pair waits in the job's state backend (default: 64;"
                            + " 0: every waiting pair there).")
    void nearDuplicateMaxPendingMib(String v) {
        put(NEAR_DUPLICATE_MAX_PENDING_MIB, v);
    }

    @Option(
            names = "--" + EVAL_SETS,
            paramLabel = "DIR[,DIR]...",
            description =
                    "Evaluation sets (pairs folders) to decontaminate against: a pair whose image"
                            + " is a near copy of one of theirs is refused as eval_contamination."
                            + " Read where the filter starts. Default: none.")
    void evalSets(String v) {
        put(EVAL_SETS, v);
    }

    @Option(
            names = "--" + EVAL_MAX_DISTANCE,
            paramLabel = "BITS",
            description =
                    "Perceptual-hash bits within which an image matches an evaluation image"
                            + " (default: 12).")
    void evalMaxDistance(String v) {
        put(EVAL_MAX_DISTANCE, v);
    }

    @Option(
            names = "--" + CAPTION_BLOCKLIST,
            paramLabel = "FILE",
            description =
                    "Refuse captions containing a term of FILE (one a line, # comments; whole"
                            + " words, case-folded) as caption_blocklisted. Read where the filter"
                            + " starts.")
    void captionBlocklist(String v) {
        put(CAPTION_BLOCKLIST, v);
    }

    @Option(
            names = "--" + IMAGE_BLOCKLIST,
            paramLabel = "FILE",
            description =
                    "Refuse images listed in FILE (lines sha256:<64 hex> or phash:<16 hex>, #"
                            + " comments) as blocklisted_image. Read where the filter starts;"
                            + " 'streamlip blocklist add' adds entries to a running job.")
    void imageBlocklist(String v) {
        put(IMAGE_BLOCKLIST, v);
    }

    @Option(
            names = "--" + BLOCKLIST_MAX_DISTANCE,
            paramLabel = "BITS",
            description =
                    "A perceptual hash within BITS bits of a listed phash: entry matches"
                            + " (default: 6).")
    void blocklistMaxDistance(String v) {
        put(BLOCKLIST_MAX_DISTANCE, v);
    }

    @Option(
            names = "--" + BLOCKLIST_TOPIC,
            paramLabel = "true|false",
            description =
                    "Follow the blocklist topic ('streamlip blocklist add|remove'), so opt-outs"
                            + " act on the running job (default: true).")
    void blocklistTopic(String v) {
        put(BLOCKLIST_TOPIC, v);
    }

    @Option(
            names = "--" + BLOCKLIST_MAX_ENTRIES,
            paramLabel = "N",
            description =
                    "Most entries of each blocklist (the files' together, the topic's), in [1,"
                            + " 2000000]; more fail the files, or are refused from the topic"
                            + " (default: 100000).")
    void blocklistMaxEntries(String v) {
        put(BLOCKLIST_MAX_ENTRIES, v);
    }

    @Option(
            names = "--" + FetchArguments.FETCH,
            paramLabel = "true|false",
            description =
                    "Fetch the image of a pair that carries only an image_url, before"
                            + " curation (default: true); when off such pairs are refused as"
                            + " image_missing.")
    void fetch(String v) {
        put(FetchArguments.FETCH, v);
    }

    @Option(
            names = "--" + FetchArguments.CONNECT_TIMEOUT,
            paramLabel = "DURATION",
            description =
                    "Fetch: connection set-up limit, e.g. 250ms, 5s or PT5S (default:" + " PT5S).")
    void fetchConnectTimeout(String v) {
        put(FetchArguments.CONNECT_TIMEOUT, v);
    }

    @Option(
            names = "--" + FetchArguments.READ_TIMEOUT,
            paramLabel = "DURATION",
            description =
                    "Fetch: longest silence before the response headers and between two"
                            + " pieces of the body (default: PT10S).")
    void fetchReadTimeout(String v) {
        put(FetchArguments.READ_TIMEOUT, v);
    }

    @Option(
            names = "--" + FetchArguments.TIMEOUT,
            paramLabel = "DURATION",
            description =
                    "Fetch: one pair's whole fetch, redirects, retries and waits"
                            + " included; beyond it the pair is refused as fetch_timeout (default:"
                            + " PT30S).")
    void fetchTimeout(String v) {
        put(FetchArguments.TIMEOUT, v);
    }

    @Option(
            names = "--" + FetchArguments.MAX_BYTES,
            paramLabel = "BYTES",
            description =
                    "Fetch: most body bytes, enforced while streaming; more is refused as"
                            + " fetch_too_large (default: 8388608, 8 MiB).")
    void fetchMaxBytes(String v) {
        put(FetchArguments.MAX_BYTES, v);
    }

    @Option(
            names = "--" + FetchArguments.MAX_REDIRECTS,
            paramLabel = "N",
            description =
                    "Fetch: most redirects followed, each hop checked like the first;"
                            + " more is fetch_redirects (default: 5).")
    void fetchMaxRedirects(String v) {
        put(FetchArguments.MAX_REDIRECTS, v);
    }

    @Option(
            names = "--" + FetchArguments.CROSS_HOST,
            paramLabel = "follow|refuse",
            description =
                    "Fetch: a redirect to another host is followed under this task's share of"
                            + " that host's limits (follow), or refused as fetch_cross_host so"
                            + " that every host's limits hold exactly (refuse) (default: follow).")
    void fetchCrossHost(String v) {
        put(FetchArguments.CROSS_HOST, v);
    }

    @Option(
            names = "--" + FetchArguments.RETRIES,
            paramLabel = "N",
            description =
                    "Fetch: retries after a 429, a 5xx or a timeout, after Retry-After or"
                            + " a doubling backoff (default: 2).")
    void fetchRetries(String v) {
        put(FetchArguments.RETRIES, v);
    }

    @Option(
            names = "--" + FetchArguments.RETRY_BACKOFF,
            paramLabel = "DURATION",
            description =
                    "Fetch: first retry delay without Retry-After, doubling after each"
                            + " (default: PT0.5S).")
    void fetchRetryBackoff(String v) {
        put(FetchArguments.RETRY_BACKOFF, v);
    }

    @Option(
            names = "--" + FetchArguments.PER_HOST,
            paramLabel = "N",
            description =
                    "Fetch: most requests in flight to one host, job-wide (fetches are"
                            + " partitioned by host) (default: 8).")
    void fetchPerHost(String v) {
        put(FetchArguments.PER_HOST, v);
    }

    @Option(
            names = "--" + FetchArguments.PER_HOST_RATE,
            paramLabel = "PER_SECOND",
            description =
                    "Fetch: most requests started per second at one host, job-wide; 0"
                            + " for no limit (default: 0.0).")
    void fetchPerHostRate(String v) {
        put(FetchArguments.PER_HOST_RATE, v);
    }

    @Option(
            names = "--" + FetchArguments.IN_FLIGHT,
            paramLabel = "N",
            description =
                    "Fetch: most pairs fetched at once per parallel task, the async"
                            + " stage's capacity (default: 64).")
    void fetchInFlight(String v) {
        put(FetchArguments.IN_FLIGHT, v);
    }

    @Option(
            names = "--" + FetchArguments.USER_AGENT,
            paramLabel = "TEXT",
            description =
                    "Fetch: the User-Agent header; X-Robots-Tag opt-outs scoped to its"
                            + " first token apply (default: streamlip-fetch/1.0).")
    void fetchUserAgent(String v) {
        put(FetchArguments.USER_AGENT, v);
    }

    @Option(
            names = "--" + FetchArguments.CONTENT_TYPES,
            paramLabel = "TYPE[,TYPE]...",
            description =
                    "Fetch: accepted media types, type/* for a whole type; others are"
                            + " fetch_content_type (default:"
                            + " image/jpeg,image/png,image/gif,image/bmp).")
    void fetchContentTypes(String v) {
        put(FetchArguments.CONTENT_TYPES, v);
    }

    @Option(
            names = "--" + FetchArguments.ALLOW_PRIVATE,
            paramLabel = "CIDR[,CIDR]...|none",
            description =
                    "Fetch: non-public networks fetched from anyway, e.g. 127.0.0.0/8 for"
                            + " a server on this machine; other private, loopback and link-local"
                            + " addresses are refused as fetch_address (default: none).")
    void fetchAllowPrivate(String v) {
        put(FetchArguments.ALLOW_PRIVATE, v);
    }

    /** {@code base} with the options given. */
    FilterConfig applyTo(FilterConfig base) {
        try {
            return FilterArguments.apply(given, base);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** The filter job's arguments for what was given ({@code FilterJob.main}), checked here. */
    List<String> filterJobArguments() {
        applyTo(FilterConfig.defaults()); // refuse a bad value here, not on the cluster
        List<String> args = new ArrayList<>();
        given.forEach((name, value) -> args.addAll(List.of("--" + name, value)));
        return args;
    }

    private void put(String name, String value) {
        try {
            FilterArguments.apply(Map.of(name, value), FilterConfig.defaults());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        given.put(name, value);
    }
}
