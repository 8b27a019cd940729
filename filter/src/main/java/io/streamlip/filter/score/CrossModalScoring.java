package io.streamlip.filter.score;

import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.KafkaEnvelope;
import io.streamlip.platform.kafka.PipelineSources;
import io.streamlip.platform.score.PairScorerFactory;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.ModelUpdate;
import java.util.Objects;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cross-modal score stage ({@link CrossModalScoreOperator}) and its model updates input, as a
 * job wires them. The job names its stage: it prefixes the operator uids and the consumer group,
 * and is the stage of the refusals.
 *
 * @param factory loads each announced model (the trainer module's {@code CheckpointScorerFactory})
 * @param config the keep/refuse policy
 */
public record CrossModalScoring(PairScorerFactory factory, CrossModalConfig config) {
    private static final Logger LOG = LoggerFactory.getLogger(CrossModalScoring.class);

    public CrossModalScoring {
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(config, "config");
    }

    /** Scoring with {@code factory}'s models and the default policy. */
    public CrossModalScoring(PairScorerFactory factory) {
        this(factory, CrossModalConfig.defaults());
    }

    /**
     * Scores {@code pairs} with the newest model of {@code updates}; the result's side output
     * {@code EnvelopeStage.rejects(stage)} holds the refusals.
     */
    public SingleOutputStreamOperator<CuratedPair> apply(
            DataStream<CuratedPair> pairs, DataStream<ModelUpdate> updates, String stage) {
        // Plain broadcast partitioning: the operator keeps the newest update in broadcast state
        // (CrossModalScoreOperator.MODEL_STATE) itself, as a broadcast process function would.
        return pairs.connect(updates.broadcast())
                .transform(
                        "crossmodal-score",
                        EnvelopeStage.avroType(CuratedPair.class),
                        new CrossModalScoreOperator(factory, config, stage))
                .uid(stage + "-crossmodal-score");
    }

    /**
     * The model updates on {@code topic}, read by {@code stage}'s own consumer group (from the
     * earliest retained update the first time; the newest one wins).
     *
     * @param bounded stop at the topic's end as of the start (tests, one-shot runs)
     */
    public static DataStream<ModelUpdate> modelUpdates(
            StreamExecutionEnvironment env,
            KafkaClients kafka,
            String topic,
            boolean bounded,
            String stage) {
        return env.fromSource(
                        PipelineSources.envelopes(
                                kafka, topic, PipelineSources.consumerGroup(stage, topic), bounded),
                        WatermarkStrategy.noWatermarks(),
                        topic + "-source")
                .uid(stage + "-model-updates-source")
                .setParallelism(1)
                .flatMap(new DecodeModelUpdates(), EnvelopeStage.avroType(ModelUpdate.class))
                .name("decode-model-updates")
                .uid(stage + "-decode-model-updates")
                .setParallelism(1);
    }

    /** Decodes model updates; skips (and logs) what is not one. */
    static final class DecodeModelUpdates implements FlatMapFunction<KafkaEnvelope, ModelUpdate> {
        private static final long serialVersionUID = 1L;
        private transient AvroSerde<ModelUpdate> serde;

        @Override
        public void flatMap(KafkaEnvelope envelope, Collector<ModelUpdate> out) {
            if (serde == null) {
                serde = AvroSerde.of(ModelUpdate.class);
            }
            try {
                out.collect(serde.decode(envelope.value));
            } catch (AvroSerde.DecodeException e) {
                LOG.warn("skipping {}: not a model update ({})", envelope, e.getMessage());
            }
        }
    }
}
