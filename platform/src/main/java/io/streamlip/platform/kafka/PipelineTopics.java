package io.streamlip.platform.kafka;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Names and layout of the pipeline's topics: the one place they are configured.
 *
 * @param rawPairs pairs as ingested (default {@code raw-pairs})
 * @param curatedPairs pairs that passed curation (default {@code curated-pairs})
 * @param examples tokenized training examples (default {@code examples})
 * @param rejects refused records of every stage (default {@code rejects})
 * @param modelUpdates checkpoints the trainer announces (default {@code model-updates})
 * @param blocklist opt-out entries the filter job follows while it runs, compacted and keyed by the
 *     entry; a null value removes it (default {@code blocklist})
 * @param partitions partitions of each data topic (default 2, enough for parallelism 2)
 * @param replicationFactor replication of every topic (default 1, the embedded broker's)
 */
public record PipelineTopics(
        String rawPairs,
        String curatedPairs,
        String examples,
        String rejects,
        String modelUpdates,
        String blocklist,
        int partitions,
        short replicationFactor)
        implements Serializable {

    /**
     * Largest record of every topic, and what the clients may send and fetch: images can be big,
     * Kafka's 1 MB default is not. A broker must accept at least this ({@code message.max.bytes}).
     */
    public static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(PipelineTopics.class);

    /** The documented defaults. */
    public static PipelineTopics defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this layout. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * The same layout with every name prefixed, e.g. to run several pipelines on one broker. Not a
     * setting of its own: it derives all six names at once.
     */
    public PipelineTopics prefixed(String prefix) {
        return toBuilder()
                .rawPairs(prefix + rawPairs)
                .curatedPairs(prefix + curatedPairs)
                .examples(prefix + examples)
                .rejects(prefix + rejects)
                .modelUpdates(prefix + modelUpdates)
                .blocklist(prefix + blocklist)
                .build();
    }

    /**
     * Builds {@link PipelineTopics}; each setting starts at its default and is named as its
     * component.
     */
    public static final class Builder {
        private String rawPairs = "raw-pairs";
        private String curatedPairs = "curated-pairs";
        private String examples = "examples";
        private String rejects = "rejects";
        private String modelUpdates = "model-updates";
        private String blocklist = "blocklist";
        private int partitions = 2;
        private short replicationFactor = 1;

        private Builder() {}

        private Builder(PipelineTopics t) {
            rawPairs = t.rawPairs;
            curatedPairs = t.curatedPairs;
            examples = t.examples;
            rejects = t.rejects;
            modelUpdates = t.modelUpdates;
            blocklist = t.blocklist;
            partitions = t.partitions;
            replicationFactor = t.replicationFactor;
        }

        public Builder rawPairs(String value) {
            rawPairs = value;
            return this;
        }

        public Builder curatedPairs(String value) {
            curatedPairs = value;
            return this;
        }

        public Builder examples(String value) {
            examples = value;
            return this;
        }

        public Builder rejects(String value) {
            rejects = value;
            return this;
        }

        public Builder modelUpdates(String value) {
            modelUpdates = value;
            return this;
        }

        public Builder blocklist(String value) {
            blocklist = value;
            return this;
        }

        public Builder partitions(int value) {
            partitions = value;
            return this;
        }

        public Builder replicationFactor(short value) {
            replicationFactor = value;
            return this;
        }

        /** The layout. */
        public PipelineTopics build() {
            return new PipelineTopics(
                    rawPairs,
                    curatedPairs,
                    examples,
                    rejects,
                    modelUpdates,
                    blocklist,
                    partitions,
                    replicationFactor);
        }
    }

    /** The topics to create, with explicit settings. */
    public List<NewTopic> newTopics() {
        Map<String, String> data =
                Map.of(
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                        Integer.toString(MAX_MESSAGE_BYTES),
                        TopicConfig.CLEANUP_POLICY_CONFIG,
                        TopicConfig.CLEANUP_POLICY_DELETE,
                        TopicConfig.RETENTION_MS_CONFIG,
                        Long.toString(7L * 24 * 3600 * 1000));
        List<NewTopic> topics = new ArrayList<>();
        for (String name : List.of(rawPairs, curatedPairs, examples, rejects)) {
            topics.add(new NewTopic(name, partitions, replicationFactor).configs(data));
        }
        // One partition keeps model updates in order; readers only need the newest.
        topics.add(new NewTopic(modelUpdates, 1, replicationFactor).configs(data));
        // Compacted: the newest record of each entry stays forever, a null value (tombstone)
        // removes it, so a job that starts reads the whole current list. One partition: one
        // reader task, in order.
        topics.add(
                new NewTopic(blocklist, 1, replicationFactor)
                        .configs(
                                Map.of(
                                        TopicConfig.CLEANUP_POLICY_CONFIG,
                                        TopicConfig.CLEANUP_POLICY_COMPACT)));
        return topics;
    }

    /** Creates the topics that do not exist yet; existing ones are left as they are. */
    public void create(Admin admin) {
        try {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing =
                    newTopics().stream().filter(t -> !existing.contains(t.name())).toList();
            if (!missing.isEmpty()) {
                // Per topic: another client (or the admin client's own retry of a request that
                // timed out) may create one between the listing and here, which is no error.
                for (Map.Entry<String, KafkaFuture<Void>> created :
                        admin.createTopics(missing).values().entrySet()) {
                    try {
                        created.getValue().get();
                    } catch (ExecutionException e) {
                        if (!(e.getCause() instanceof TopicExistsException)) {
                            throw e;
                        }
                    }
                }
                LOG.info(
                        "created topics {}",
                        missing.stream()
                                .map(t -> t.name() + "(" + t.numPartitions() + ")")
                                .toList());
            }
            awaitLeaders(admin, newTopics().stream().map(NewTopic::name).toList());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "cannot create topics: " + e.getCause().getMessage(), e);
        }
    }

    /**
     * Waits until every partition of {@code names} answers a ListOffsets request, which goes to the
     * partition's leader: a producer that writes in the moment after creation, while the leader is
     * not ready, gets NOT_LEADER_OR_FOLLOWER, and its idempotent retries were seen to fail with
     * OUT_OF_ORDER_SEQUENCE_NUMBER until the records expired. Seeing a leader in the metadata is
     * not enough for that.
     */
    private static void awaitLeaders(Admin admin, List<String> names)
            throws InterruptedException, ExecutionException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (true) {
            Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec>
                    request = new java.util.HashMap<>();
            boolean leaders = true;
            try {
                for (var d : admin.describeTopics(names).allTopicNames().get().values()) {
                    for (var p : d.partitions()) {
                        leaders &= p.leader() != null && !p.leader().isEmpty();
                        request.put(
                                new org.apache.kafka.common.TopicPartition(d.name(), p.partition()),
                                org.apache.kafka.clients.admin.OffsetSpec.latest());
                    }
                }
            } catch (ExecutionException e) {
                // Just after creation the broker may not know a new topic yet
                // (UNKNOWN_TOPIC_OR_PARTITION, a retriable error): ask again.
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.RetriableException)) {
                    throw e;
                }
                leaders = false;
            }
            if (leaders) {
                try {
                    admin.listOffsets(request).all().get();
                    return;
                } catch (ExecutionException e) {
                    if (!(e.getCause()
                            instanceof org.apache.kafka.common.errors.RetriableException)) {
                        throw e;
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topics " + names + " have no leader after 30 s");
            }
            Thread.sleep(50);
        }
    }
}
