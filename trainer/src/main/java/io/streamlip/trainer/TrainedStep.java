package io.streamlip.trainer;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * What one applied step trained, for observers outside the trainer ({@link Trainer#onTrained}).
 *
 * @param step the model's step count after it
 * @param examples examples in the step's batch
 * @param trainedUpTo for each partition read, the offset before which everything has been trained
 *     (empty when the batch does not come from Kafka)
 * @param produceTimes per example, the Kafka timestamp (epoch ms) or -1 when it does not count for
 *     freshness (read again in a replay); may be empty
 * @param trainedAtMillis when the step ended (epoch ms): freshness is {@code trainedAtMillis -
 *     produceTime}
 * @param passedOver records the source has read so far and will not train: sampled out by the
 *     language weights or refused as undecodable
 */
public record TrainedStep(
        long step,
        int examples,
        Map<TopicPartition, Long> trainedUpTo,
        long[] produceTimes,
        long trainedAtMillis,
        long passedOver) {}
