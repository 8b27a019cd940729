package io.streamlip.filter.score;

import io.streamlip.filter.FilterJob;
import io.streamlip.ingest.flink.EnvelopeStage;
import io.streamlip.ingest.kafka.KafkaClients;
import io.streamlip.ingest.kafka.KafkaEnvelope;
import io.streamlip.ingest.kafka.PipelineSources;
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
 * The cross-modal score stage of the filter job ({@link CrossModalScoreFunction}) and its model
 * updates input. {@link FilterJob#wire} takes one as an optional stage after deduplication.
 *
 * @param updates the model updates, e.g. {@link #modelUpdates}
 * @param factory loads each announced model (the trainer module's {@code CheckpointScorerFactory})
 * @param config the keep/refuse policy
 */
public record CrossModalScoring(
        DataStream<ModelUpdate> updates, PairScorerFactory factory, CrossModalConfig config) {
    private static final Logger LOG = LoggerFactory.getLogger(CrossModalScoring.class);

    public CrossModalScoring {
        Objects.requireNonNull(updates, "updates");
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(config, "config");
    }

    /**
     * Scores {@code pairs}; the result's side output {@code EnvelopeStage.rejects(FilterJob.STAGE)}
     * holds the refusals.
     */
    public SingleOutputStreamOperator<CuratedPair> apply(DataStream<CuratedPair> pairs) {
        return pairs.connect(updates.broadcast(CrossModalScoreFunction.MODEL_STATE))
                .process(
                        new CrossModalScoreFunction(factory, config),
                        EnvelopeStage.avroType(CuratedPair.class))
                .name("crossmodal-score")
                .uid(FilterJob.STAGE + "-crossmodal-score");
    }

    /**
     * The model updates on {@code topic}, read by the filter's own consumer group (from the
     * earliest retained update the first time; the newest one wins).
     *
     * @param bounded stop at the topic's end as of the start (tests, one-shot runs)
     */
    public static DataStream<ModelUpdate> modelUpdates(
            StreamExecutionEnvironment env, KafkaClients kafka, String topic, boolean bounded) {
        return env.fromSource(
                        PipelineSources.envelopes(
                                kafka,
                                topic,
                                PipelineSources.consumerGroup(FilterJob.STAGE, topic),
                                bounded),
                        WatermarkStrategy.noWatermarks(),
                        topic + "-source")
                .uid(FilterJob.STAGE + "-model-updates-source")
                .setParallelism(1)
                .flatMap(new DecodeModelUpdates(), EnvelopeStage.avroType(ModelUpdate.class))
                .name("decode-model-updates")
                .uid(FilterJob.STAGE + "-decode-model-updates")
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
