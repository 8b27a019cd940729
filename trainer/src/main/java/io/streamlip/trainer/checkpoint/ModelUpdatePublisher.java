package io.streamlip.trainer.checkpoint;

import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.ModelUpdate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces each checkpoint as an Avro {@code ModelUpdate} on the model-updates topic (key: the
 * model version), so the filter job can score with the newest model.
 */
public final class ModelUpdatePublisher implements CheckpointListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelUpdatePublisher.class);

    private final AvroSerde<ModelUpdate> serde = AvroSerde.of(ModelUpdate.class);
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;

    public ModelUpdatePublisher(KafkaClients kafka, String topic) {
        this.producer = new KafkaProducer<>(kafka.producer());
        this.topic = topic;
    }

    /**
     * The record announcing {@code checkpoint}, with its trained-up-to offsets ({@code
     * trained_up_to}, so {@code streamlip trace} can tell which checkpoint trained an example).
     * When the checkpoint was evaluated, its {@code eval} map also holds the stream's freshness
     * then ({@code freshness_p50_ms}, {@code freshness_p95_ms}). A LIMoE checkpoint also carries
     * its routing metrics ({@code routing}).
     */
    public static ModelUpdate toRecord(Path checkpoint, TrainingState state) {
        Map<String, Double> eval = new LinkedHashMap<>(state.eval());
        if (!eval.isEmpty() && state.freshness() != null) {
            eval.put("freshness_p50_ms", state.freshness().p50Millis());
            eval.put("freshness_p95_ms", state.freshness().p95Millis());
        }
        return ModelUpdate.newBuilder()
                .setModelVersion(state.modelVersion())
                .setStep(state.step())
                .setExamplesSeen(state.examplesSeen())
                .setCheckpointPath(checkpoint.toAbsolutePath().toString())
                .setLoss(state.loss() == null ? null : state.loss().sinceLastCheckpoint())
                .setEval(eval)
                .setCreatedTime(Instant.parse(state.createdTime()))
                .setTrainedUpTo(trainedUpTo(state))
                .setRouting(state.routing())
                .build();
    }

    /**
     * The checkpoint's trained-up-to offsets as {@code ModelUpdate.trained_up_to} carries them:
     * {@code <topic>/<partition>} to the offset.
     */
    public static Map<String, Long> trainedUpTo(TrainingState state) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (TrainingState.PartitionOffset o : state.offsets()) {
            out.put(o.topic() + "/" + o.partition(), o.offset());
        }
        return out;
    }

    @Override
    public void onCheckpoint(Path checkpoint, TrainingState state) {
        ModelUpdate update = toRecord(checkpoint, state);
        try {
            producer.send(
                            new ProducerRecord<>(
                                    topic,
                                    state.modelVersion().getBytes(StandardCharsets.UTF_8),
                                    serde.encode(update)))
                    .get(30, TimeUnit.SECONDS);
            LOG.info("announced {} on {}", state.modelVersion(), topic);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("interrupted while announcing {}", state.modelVersion());
        } catch (ExecutionException | TimeoutException e) {
            // The checkpoint exists either way; a missed announcement only delays the filter.
            LOG.warn("could not announce {} on {}: {}", state.modelVersion(), topic, e.toString());
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
