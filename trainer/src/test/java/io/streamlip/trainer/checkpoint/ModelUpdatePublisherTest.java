package io.streamlip.trainer.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.ModelUpdate;
import io.streamlip.schemas.TrainedOffset;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelUpdatePublisherTest {

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
                .containsExactly(
                        new TrainedOffset("examples", 0, 321L),
                        new TrainedOffset("examples", 1, 17L));
    }
}
