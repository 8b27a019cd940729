package io.streamlip.trainer.checkpoint;

import io.streamlip.ingest.kafka.KafkaClients;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.ModelUpdate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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

    /** The record announcing {@code checkpoint}. */
    public static ModelUpdate toRecord(Path checkpoint, TrainingState state) {
        return ModelUpdate.newBuilder()
                .setModelVersion(state.modelVersion())
                .setStep(state.step())
                .setExamplesSeen(state.examplesSeen())
                .setCheckpointPath(checkpoint.toAbsolutePath().toString())
                .setLoss(state.loss() == null ? null : state.loss().sinceLastCheckpoint())
                .setEval(state.eval())
                .setCreatedTime(Instant.parse(state.createdTime()))
                .build();
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
