package io.streamlip.trainer.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.ModelUpdate;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelUpdatePublisherTest {

    @Test
    void anUpdateBuiltWithoutOffsetsNeedsNoTrustedClasses() {
        // Built before any AvroSerde ran in this JVM: defaults must not resolve record classes.
        ModelUpdate update =
                ModelUpdate.newBuilder()
                        .setModelVersion("v")
                        .setStep(1)
                        .setExamplesSeen(1)
                        .setCheckpointPath("/tmp")
                        .setCreatedTime(java.time.Instant.EPOCH)
                        .build();
        assertThat(update.getTrainedUpTo()).isEmpty();
    }

    @Test
    void announcesTheCheckpointsTrainedUpToOffsets() {
        TrainingState state =
                new TrainingState(
                        "run/step-00000010",
                        10,
                        640,
                        0,
                        List.of(
                                new TrainingState.PartitionOffset("examples", 0, 321),
                                new TrainingState.PartitionOffset("examples", 1, 17)),
                        null,
                        "bytes-v1",
                        null,
                        null,
                        10,
                        -10,
                        "2026-12-06T06:00:00Z",
                        Map.of(),
                        List.of(),
                        null,
                        null);
        ModelUpdate update = ModelUpdatePublisher.toRecord(Path.of("/tmp/ckpt"), state);
        AvroSerde<ModelUpdate> serde = AvroSerde.of(ModelUpdate.class);
        ModelUpdate decoded = serde.decode(serde.encode(update));
        assertThat(decoded.getModelVersion()).isEqualTo("run/step-00000010");
        assertThat(decoded.getTrainedUpTo())
                .containsExactlyInAnyOrderEntriesOf(Map.of("examples/0", 321L, "examples/1", 17L));
    }
}
