package io.streamlip.sinks;

import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.Reject;
import io.streamlip.sinks.avro.AvroFileFormat;
import io.streamlip.sinks.avro.AvroRecordCheck;
import io.streamlip.sinks.shards.RecordCheck;
import io.streamlip.sinks.shards.ShardConfig;
import io.streamlip.sinks.shards.ShardFormat;
import io.streamlip.sinks.shards.ShardedFileSink;
import io.streamlip.sinks.shards.ShardedFileWriter;
import io.streamlip.sinks.webdataset.WebDatasetCheck;
import io.streamlip.sinks.webdataset.WebDatasetFormat;
import io.streamlip.sinks.webdataset.WebDatasetSample;
import io.streamlip.sinks.webdataset.WebDatasetSamples;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.function.SerializableFunction;

/**
 * The file sinks of the pipeline: WebDataset tar shards and Avro container files, each as an
 * exactly-once Flink sink ({@link ShardedFileSink}) and as a plain writer ({@link
 * ShardedFileWriter}) for use outside Flink.
 *
 * <p>To add one to a job beside its Kafka sink, hand it the job's output stream and route the
 * rejects it returns to the job's rejects sink, e.g. {@code
 * rejects.union(FileSinks.addWebDataset(curated, ShardConfig.defaults(dir)).rejects())}. A record
 * the sink cannot write (its image cannot be encoded for the shard, it exceeds {@link
 * ShardConfig#maxRecordBytes}, it does not encode) becomes a {@code sink_unwritable} reject of
 * stage {@value #WEBDATASET_STAGE} or {@value #AVRO_STAGE}, checked in a step before the sink
 * ({@link RecordCheckFunction}); the job goes on. Like the Kafka sinks, the Flink sinks commit on
 * checkpoints: a job must checkpoint (or run bounded) for shards to appear.
 */
public final class FileSinks {
    /** Stage of the WebDataset sinks' rejects. */
    public static final String WEBDATASET_STAGE = "sink-webdataset";

    /** Stage of the Avro file sinks' rejects. */
    public static final String AVRO_STAGE = "sink-avro";

    private FileSinks() {}

    /**
     * A file sink added to a job.
     *
     * @param sink the sink
     * @param rejects the records it refused, for the job's rejects topic
     */
    public record Added<T>(DataStreamSink<T> sink, DataStream<Reject> rejects) {}

    /** Curated pairs as WebDataset shards ({@link WebDatasetSamples#of(CuratedPair)}). */
    public static ShardFormat<CuratedPair> webDatasetOfPairs() {
        return new WebDatasetFormat<CuratedPair>(WebDatasetSamples::of);
    }

    /** Training examples as WebDataset shards ({@link WebDatasetSamples#of(Example)}). */
    public static ShardFormat<Example> webDatasetOfExamples() {
        return new WebDatasetFormat<Example>(WebDatasetSamples::of);
    }

    /** WebDataset shards of samples made beforehand (by a {@link WebDatasetCheck}). */
    public static ShardFormat<WebDatasetSample> webDatasetOfSamples() {
        return new WebDatasetFormat<WebDatasetSample>(sample -> sample);
    }

    /** An exactly-once Flink sink of {@code format} shards. */
    public static <T> ShardedFileSink<T> sink(ShardFormat<T> format, ShardConfig config) {
        return new ShardedFileSink<>(format, config);
    }

    /** A plain writer of {@code format} shards (outside Flink). */
    public static <T> ShardedFileWriter<T> writer(ShardFormat<T> format, ShardConfig config)
            throws IOException {
        return new ShardedFileWriter<>(format, config);
    }

    /** Adds a WebDataset sink of curated pairs to {@code pairs}. */
    public static Added<WebDatasetSample> addWebDataset(
            DataStream<CuratedPair> pairs, ShardConfig config) {
        return addWebDataset(
                pairs, CuratedPair.class, WebDatasetSamples::of, p -> p.getPair().getId(), config);
    }

    /** Adds a WebDataset sink of training examples to {@code examples}. */
    public static Added<WebDatasetSample> addWebDatasetOfExamples(
            DataStream<Example> examples, ShardConfig config) {
        return addWebDataset(
                examples, Example.class, WebDatasetSamples::of, Example::getId, config);
    }

    /**
     * Adds a WebDataset sink of {@code type} records, each turned into a sample by {@code toSample}
     * (which may throw for a record it cannot convert: that record becomes a reject).
     */
    public static <T extends SpecificRecord> Added<WebDatasetSample> addWebDataset(
            DataStream<T> records,
            Class<T> type,
            SerializableFunction<T, WebDatasetSample> toSample,
            SerializableFunction<T, String> idOf,
            ShardConfig config) {
        return add(
                records,
                type,
                new WebDatasetCheck<>(toSample, config.maxRecordBytes()),
                idOf,
                TypeInformation.of(WebDatasetSample.class),
                webDatasetOfSamples(),
                config,
                "webdataset",
                WEBDATASET_STAGE);
    }

    /**
     * Adds an Avro container-file sink of {@code type} records to {@code records}; rejects carry
     * the record's {@code id} field (or its {@code pair}'s, as a curated pair's) when it has one.
     */
    public static <T extends SpecificRecord> Added<T> addAvro(
            DataStream<T> records, Class<T> type, ShardConfig config) {
        return add(
                records,
                type,
                new AvroRecordCheck<>(type, config.maxRecordBytes()),
                FileSinks::idField,
                records.getType(),
                AvroFileFormat.of(type),
                config,
                "avro",
                AVRO_STAGE);
    }

    /**
     * Adds a check ({@link RecordCheckFunction}) and a sink of {@code format} shards after it to
     * {@code records}, named and with stable uids derived from {@code kind} and the shard prefix (a
     * job with two file sinks gives them two prefixes).
     */
    public static <T extends SpecificRecord, OUT> Added<OUT> add(
            DataStream<T> records,
            Class<T> type,
            RecordCheck<T, OUT> check,
            SerializableFunction<T, String> idOf,
            TypeInformation<OUT> written,
            ShardFormat<OUT> format,
            ShardConfig config,
            String kind,
            String stage) {
        String name = kind + "-sink-" + config.prefix();
        SingleOutputStreamOperator<OUT> checked =
                records.process(new RecordCheckFunction<>(stage, type, check, idOf), written)
                        .name(name + "-check")
                        .uid(name + "-check");
        DataStreamSink<OUT> sink = checked.sinkTo(sink(format, config)).name(name).uid(name);
        return new Added<>(sink, checked.getSideOutput(EnvelopeStage.rejects(stage)));
    }

    /**
     * Adds a sink of {@code format} shards to {@code records} without a check before it: a record
     * it cannot write is logged and counted by the sink ({@link ShardedFileSink}), not rejected.
     */
    public static <T> DataStreamSink<T> add(
            DataStream<T> records, ShardFormat<T> format, ShardConfig config, String kind) {
        String name = kind + "-sink-" + config.prefix();
        return records.sinkTo(sink(format, config)).name(name).uid(name);
    }

    /** Shard name prefix of a job's curated pairs ({@link #addCurated}). */
    public static final String CURATED_PREFIX = "curated";

    /** Shard name prefix of a job's examples ({@link #addExamples}). */
    public static final String EXAMPLES_PREFIX = "examples";

    /**
     * Adds the file sinks {@code config} turns on to a job's curated pairs, as shards named {@value
     * #CURATED_PREFIX}{@code -NNNNNN}, with operator uids {@code <stage>-webdataset-sink-curated}
     * and {@code <stage>-avro-sink-curated} (and {@code -check}).
     *
     * @return the records they refuse, for the job's rejects; empty when no sink is on
     */
    public static Optional<DataStream<Reject>> addCurated(
            DataStream<CuratedPair> pairs, FileSinkConfig config, String stage) {
        return addConfigured(
                pairs,
                CuratedPair.class,
                WebDatasetSamples::of,
                p -> p.getPair().getId(),
                config,
                CURATED_PREFIX,
                stage);
    }

    /**
     * Adds the file sinks {@code config} turns on to a job's examples, as shards named {@value
     * #EXAMPLES_PREFIX}{@code -NNNNNN}, with operator uids {@code <stage>-webdataset-sink-examples}
     * and {@code <stage>-avro-sink-examples} (and {@code -check}).
     *
     * @return the records they refuse, for the job's rejects; empty when no sink is on
     */
    public static Optional<DataStream<Reject>> addExamples(
            DataStream<Example> examples, FileSinkConfig config, String stage) {
        return addConfigured(
                examples,
                Example.class,
                WebDatasetSamples::of,
                Example::getId,
                config,
                EXAMPLES_PREFIX,
                stage);
    }

    private static <T extends SpecificRecord> Optional<DataStream<Reject>> addConfigured(
            DataStream<T> records,
            Class<T> type,
            SerializableFunction<T, WebDatasetSample> toSample,
            SerializableFunction<T, String> idOf,
            FileSinkConfig config,
            String prefix,
            String stage) {
        List<DataStream<Reject>> rejects = new ArrayList<>();
        config.webDataset(prefix)
                .ifPresent(
                        shards ->
                                rejects.add(
                                        add(
                                                        records,
                                                        type,
                                                        new WebDatasetCheck<>(
                                                                toSample, shards.maxRecordBytes()),
                                                        idOf,
                                                        TypeInformation.of(WebDatasetSample.class),
                                                        webDatasetOfSamples(),
                                                        shards,
                                                        stage + "-webdataset",
                                                        WEBDATASET_STAGE)
                                                .rejects()));
        config.avro(prefix)
                .ifPresent(
                        shards ->
                                rejects.add(
                                        add(
                                                        records,
                                                        type,
                                                        new AvroRecordCheck<>(
                                                                type, shards.maxRecordBytes()),
                                                        idOf,
                                                        records.getType(),
                                                        AvroFileFormat.of(type),
                                                        shards,
                                                        stage + "-avro",
                                                        AVRO_STAGE)
                                                .rejects()));
        return rejects.stream().reduce(DataStream::union);
    }

    /** The record's {@code id} field, or its {@code pair}'s; null when it has neither. */
    static String idField(SpecificRecord record) {
        Schema.Field id = record.getSchema().getField("id");
        if (id != null) {
            Object value = record.get(id.pos());
            return value == null ? null : value.toString();
        }
        Schema.Field pair = record.getSchema().getField("pair");
        if (pair != null && record.get(pair.pos()) instanceof SpecificRecord inner) {
            return idField(inner);
        }
        return null;
    }
}
