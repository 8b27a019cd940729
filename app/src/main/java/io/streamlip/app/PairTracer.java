package io.streamlip.app;

import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.kafka.TopicReader;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.ModelUpdate;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Reject;
import io.streamlip.schemas.RejectReason;
import io.streamlip.trainer.checkpoint.CheckpointStore;
import io.streamlip.trainer.checkpoint.TrainingState;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Follows pairs through the pipeline's topics: where each entered {@code raw-pairs}, every reject
 * of it, its curated record, its example and the first checkpoint whose trained-up-to offsets
 * include that example.
 *
 * <p>A query is a pair id or the hex SHA-256 of an image (a hash can match several pairs:
 * duplicates). Each topic is read once from its beginning to the end offsets it had when its scan
 * began ({@link TopicReader#scan}); only matching records are kept, at most {@value #MAX_PAIRS}
 * pairs and {@value #MAX_EVENTS} records of each kind per pair (the rest is counted), so memory
 * does not grow with the topics.
 */
final class PairTracer {
    /** Most pairs one trace reports; an image hash shared by more says {@code truncated}. */
    static final int MAX_PAIRS = 16;

    /** Most records of one kind (raw, reject, curated, example) kept per pair. */
    static final int MAX_EVENTS = 32;

    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

    private final KafkaClients kafka;
    private final PipelineTopics topics;

    PairTracer(KafkaClients kafka, PipelineTopics topics) {
        this.kafka = kafka;
        this.topics = topics;
    }

    /** Where one record was read: topic, partition, offset and its Kafka timestamp (ISO-8601). */
    record Position(String topic, int partition, long offset, String time) {
        static Position of(ConsumerRecord<?, ?> r) {
            return new Position(
                    r.topic(),
                    r.partition(),
                    r.offset(),
                    Instant.ofEpochMilli(r.timestamp()).toString());
        }

        @Override
        public String toString() {
            return topic + " " + partition + "/" + offset + "  " + time;
        }
    }

    /** One reject of the pair; {@code modelVersion} when a model refused it. */
    record RejectEvent(
            Position at, String stage, String reason, String detail, String modelVersion) {}

    /** The pair as curation kept it; {@code modelVersion} when it was scored. */
    record CuratedEvent(
            Position at, String lang, Float crossmodalScore, String modelVersion, String source) {}

    /** A checkpoint, as announced on {@code model-updates}. */
    record Checkpoint(
            String modelVersion,
            long step,
            long examplesSeen,
            String createdTime,
            String checkpointPath) {}

    /**
     * The pair's example; {@code trainedBy} is the first checkpoint that trained on it, null while
     * none has.
     */
    record ExampleEvent(Position at, String source, String modelVersion, Checkpoint trainedBy) {}

    /** Everything found about one pair. */
    record PairHistory(
            String id,
            String source,
            String imageSha256,
            String status,
            List<Position> raw,
            List<RejectEvent> rejects,
            List<CuratedEvent> curated,
            List<ExampleEvent> examples,
            long eventsLeftOut) {}

    /**
     * The answer to one query.
     *
     * @param found whether any pair matched
     * @param truncated whether more than {@value #MAX_PAIRS} pairs matched (the rest are left out)
     * @param missingTopics pipeline topics that do not exist on this cluster
     * @param undecodable records of the scanned topics that could not be decoded (skipped)
     */
    record Trace(
            String query,
            boolean found,
            boolean truncated,
            List<String> missingTopics,
            long undecodable,
            List<PairHistory> pairs) {}

    /** Traces {@code query}, a pair id or an image's SHA-256 in hex. */
    Trace trace(String query) {
        Search search = new Search(query);
        List<String> missing = missingTopics();
        if (!missing.contains(topics.rawPairs())) {
            TopicReader.scan(kafka, topics.rawPairs(), search::raw);
        }
        if (!missing.contains(topics.rejects())) {
            TopicReader.scan(kafka, topics.rejects(), search::reject);
        }
        if (!missing.contains(topics.curatedPairs())) {
            TopicReader.scan(kafka, topics.curatedPairs(), search::curated);
        }
        if (!missing.contains(topics.examples())) {
            TopicReader.scan(kafka, topics.examples(), search::example);
        }
        if (search.hasUntrainedExamples() && !missing.contains(topics.modelUpdates())) {
            TopicReader.scan(kafka, topics.modelUpdates(), search::modelUpdate);
        }
        List<PairHistory> pairs = search.pairs.values().stream().map(Found::history).toList();
        return new Trace(
                query, !pairs.isEmpty(), search.truncated, missing, search.undecodable, pairs);
    }

    private List<String> missingTopics() {
        List<String> all =
                List.of(
                        topics.rawPairs(),
                        topics.rejects(),
                        topics.curatedPairs(),
                        topics.examples(),
                        topics.modelUpdates());
        try (Admin admin = Admin.create(kafka.common())) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            return all.stream().filter(t -> !existing.contains(t)).toList();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing topics", e);
        } catch (Exception e) {
            throw new IllegalStateException(
                    "cannot list the topics at " + kafka.bootstrapServers() + ": " + e, e);
        }
    }

    /** What one pair has collected so far. */
    private static final class Found {
        final String id;
        String source;
        String imageSha256;
        final List<Position> raw = new ArrayList<>();
        final List<RejectEvent> rejects = new ArrayList<>();
        final List<CuratedEvent> curated = new ArrayList<>();
        final List<ExampleEvent> examples = new ArrayList<>();
        long leftOut;

        Found(String id) {
            this.id = id;
        }

        <T> void add(List<T> list, T event) {
            if (list.size() < MAX_EVENTS) {
                list.add(event);
            } else {
                leftOut++;
            }
        }

        PairHistory history() {
            return new PairHistory(
                    id,
                    source,
                    imageSha256,
                    status(),
                    List.copyOf(raw),
                    List.copyOf(rejects),
                    List.copyOf(curated),
                    List.copyOf(examples),
                    leftOut);
        }

        private String status() {
            if (examples.stream().anyMatch(e -> e.trainedBy() != null)) {
                return "trained";
            }
            if (!examples.isEmpty()) {
                return "example";
            }
            if (!curated.isEmpty()) {
                return "curated";
            }
            if (!rejects.isEmpty()) {
                return "rejected";
            }
            return "raw";
        }
    }

    /** The matching state of one trace: which ids and which image hash are followed. */
    private final class Search {
        final String query;
        final String hash; // lower-case hex, or null when the query cannot be one
        final Map<String, Found> pairs = new LinkedHashMap<>();
        boolean truncated;
        long undecodable;
        final AvroSerde<RawPair> rawSerde = AvroSerde.of(RawPair.class);
        final AvroSerde<Reject> rejectSerde = AvroSerde.of(Reject.class);
        final AvroSerde<CuratedPair> curatedSerde = AvroSerde.of(CuratedPair.class);
        final AvroSerde<Example> exampleSerde = AvroSerde.of(Example.class);
        final AvroSerde<ModelUpdate> updateSerde = AvroSerde.of(ModelUpdate.class);

        Search(String query) {
            this.query = query;
            this.hash = SHA256.matcher(query).matches() ? query.toLowerCase(Locale.ROOT) : null;
        }

        /** Whether records of {@code id} are followed; a cheap test before decoding. */
        boolean follows(String id) {
            return id != null && (id.equals(query) || pairs.containsKey(id));
        }

        /** The pair to add to, or null when the pair limit is reached. */
        Found found(String id) {
            Found f = pairs.get(id);
            if (f == null) {
                if (pairs.size() >= MAX_PAIRS) {
                    truncated = true;
                    return null;
                }
                f = new Found(id);
                pairs.put(id, f);
            }
            return f;
        }

        void raw(ConsumerRecord<byte[], byte[]> r) {
            String key = key(r);
            // Without a hash to match, only a record keyed by a followed id needs decoding.
            if (hash == null && key != null && !follows(key)) {
                return;
            }
            RawPair pair;
            try {
                pair = rawSerde.decode(r.value());
            } catch (AvroSerde.DecodeException e) {
                undecodable++;
                return;
            }
            String sha = null;
            if (hash != null || follows(pair.getId())) {
                sha = sha256(pair.getImage());
            }
            if (!follows(pair.getId()) && (hash == null || !hash.equals(sha))) {
                return;
            }
            Found f = found(pair.getId());
            if (f == null) {
                return;
            }
            f.source = pair.getSource();
            if (sha != null) {
                f.imageSha256 = sha;
            }
            f.add(f.raw, Position.of(r));
        }

        void reject(ConsumerRecord<byte[], byte[]> r) {
            // Rejects are keyed by the refused record's id; the ids are known from raw-pairs.
            String key = key(r);
            if (key != null && !follows(key)) {
                return;
            }
            Reject reject;
            try {
                reject = rejectSerde.decode(r.value());
            } catch (AvroSerde.DecodeException e) {
                undecodable++;
                return;
            }
            String id = reject.getId();
            if (id == null && reject.getKey() != null) { // the original key, kept inside
                id = StandardCharsets.UTF_8.decode(reject.getKey().duplicate()).toString();
            }
            if (!follows(id)) {
                return;
            }
            Found f = found(id);
            if (f == null) {
                return;
            }
            f.add(
                    f.rejects,
                    new RejectEvent(
                            Position.of(r),
                            reject.getStage(),
                            reject.getReason(),
                            reject.getDetail(),
                            modelVersion(reject)));
        }

        void curated(ConsumerRecord<byte[], byte[]> r) {
            String key = key(r);
            if (key != null && !follows(key) && hash == null) {
                return;
            }
            CuratedPair curated;
            try {
                curated = curatedSerde.decode(r.value());
            } catch (AvroSerde.DecodeException e) {
                undecodable++;
                return;
            }
            String id = curated.getPair().getId();
            boolean sameImage =
                    hash != null && hash.equalsIgnoreCase(String.valueOf(curated.getImageSha256()));
            if (!follows(id) && !sameImage) {
                return;
            }
            Found f = found(id);
            if (f == null) {
                return;
            }
            f.source = curated.getPair().getSource();
            if (f.imageSha256 == null) {
                f.imageSha256 = curated.getImageSha256();
            }
            f.add(
                    f.curated,
                    new CuratedEvent(
                            Position.of(r),
                            curated.getLang(),
                            curated.getCrossmodalScore(),
                            curated.getModelVersion(),
                            curated.getPair().getSource()));
        }

        void example(ConsumerRecord<byte[], byte[]> r) {
            String key = key(r);
            if (key != null && !follows(key)) {
                return;
            }
            Example example;
            try {
                example = exampleSerde.decode(r.value());
            } catch (AvroSerde.DecodeException e) {
                undecodable++;
                return;
            }
            if (!follows(example.getId())) {
                return;
            }
            Found f = found(example.getId());
            if (f == null) {
                return;
            }
            if (f.source == null) {
                f.source = example.getSource();
            }
            f.add(
                    f.examples,
                    new ExampleEvent(
                            Position.of(r), example.getSource(), example.getModelVersion(), null));
        }

        boolean hasUntrainedExamples() {
            return pairs.values().stream()
                    .anyMatch(f -> f.examples.stream().anyMatch(e -> e.trainedBy() == null));
        }

        /** Marks the examples this update's checkpoint trained on that no earlier one had. */
        void modelUpdate(ConsumerRecord<byte[], byte[]> r) {
            if (!hasUntrainedExamples()) {
                return;
            }
            ModelUpdate update;
            try {
                update = updateSerde.decode(r.value());
            } catch (AvroSerde.DecodeException e) {
                undecodable++;
                return;
            }
            Map<String, Long> trainedUpTo = trainedUpTo(update);
            Checkpoint checkpoint =
                    new Checkpoint(
                            update.getModelVersion(),
                            update.getStep(),
                            update.getExamplesSeen(),
                            update.getCreatedTime().toString(),
                            update.getCheckpointPath());
            for (Found f : pairs.values()) {
                for (int i = 0; i < f.examples.size(); i++) {
                    ExampleEvent e = f.examples.get(i);
                    Long upTo = trainedUpTo.get(e.at().topic() + "/" + e.at().partition());
                    if (e.trainedBy() == null && upTo != null && upTo > e.at().offset()) {
                        f.examples.set(
                                i,
                                new ExampleEvent(e.at(), e.source(), e.modelVersion(), checkpoint));
                    }
                }
            }
        }
    }

    /**
     * {@code topic/partition} to the offset before which the update's checkpoint trained
     * everything: from the update itself, or, for updates written before they carried it, from the
     * checkpoint's {@code state.json} while it still exists.
     */
    static Map<String, Long> trainedUpTo(ModelUpdate update) {
        Map<String, Long> out = new LinkedHashMap<>(update.getTrainedUpTo());
        if (out.isEmpty() && update.getCheckpointPath() != null) {
            Path folder = Path.of(update.getCheckpointPath());
            if (Files.isRegularFile(folder.resolve(CheckpointStore.STATE_FILE))) {
                try {
                    TrainingState state = CheckpointStore.readState(folder);
                    for (TrainingState.PartitionOffset o : state.offsets()) {
                        out.put(o.topic() + "/" + o.partition(), o.offset());
                    }
                } catch (RuntimeException e) {
                    // A damaged or vanished checkpoint says nothing about what it trained.
                }
            }
        }
        return out;
    }

    /**
     * The model that refused a record: the reject's own field, or for {@code low_crossmodal_score}
     * rejects written before it was carried, the version their detail ends with ("... under V").
     */
    static String modelVersion(Reject reject) {
        if (reject.getModelVersion() != null) {
            return reject.getModelVersion();
        }
        String detail = reject.getDetail();
        if (RejectReason.LOW_CROSSMODAL_SCORE.code().equals(reject.getReason()) && detail != null) {
            int at = detail.lastIndexOf(" under ");
            if (at >= 0) {
                return detail.substring(at + " under ".length()).strip();
            }
        }
        return null;
    }

    private static String key(ConsumerRecord<byte[], byte[]> r) {
        return r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
    }

    static String sha256(ByteBuffer image) {
        if (image == null) {
            return null;
        }
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(image.duplicate());
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }
}
