package io.streamlip.sinks;

import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.Example;
import io.streamlip.sinks.avro.AvroFileFormat;
import io.streamlip.sinks.shards.ShardConfig;
import io.streamlip.sinks.shards.ShardFormat;
import io.streamlip.sinks.shards.ShardedFileSink;
import io.streamlip.sinks.shards.ShardedFileWriter;
import io.streamlip.sinks.webdataset.WebDatasetFormat;
import io.streamlip.sinks.webdataset.WebDatasetSamples;
import java.io.IOException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;

/**
 * The file sinks of the pipeline: WebDataset tar shards and Avro container files, each as an
 * exactly-once Flink sink ({@link ShardedFileSink}) and as a plain writer ({@link
 * ShardedFileWriter}) for use outside Flink.
 *
 * <p>To add one to a job beside its Kafka sink, hand it the job's output stream, e.g. {@code
 * FileSinks.addWebDataset(FilterJob.attach(...), ShardConfig.defaults(dir))}. Like the Kafka sinks,
 * the Flink sinks commit on checkpoints: a job must checkpoint (or run bounded) for shards to
 * appear.
 */
public final class FileSinks {
    private FileSinks() {}

    /** Curated pairs as WebDataset shards ({@link WebDatasetSamples#of(CuratedPair)}). */
    public static ShardFormat<CuratedPair> webDatasetOfPairs() {
        return new WebDatasetFormat<CuratedPair>(WebDatasetSamples::of);
    }

    /** Training examples as WebDataset shards ({@link WebDatasetSamples#of(Example)}). */
    public static ShardFormat<Example> webDatasetOfExamples() {
        return new WebDatasetFormat<Example>(WebDatasetSamples::of);
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
    public static DataStreamSink<CuratedPair> addWebDataset(
            DataStream<CuratedPair> pairs, ShardConfig config) {
        return add(pairs, webDatasetOfPairs(), config, "webdataset");
    }

    /** Adds a WebDataset sink of training examples to {@code examples}. */
    public static DataStreamSink<Example> addWebDatasetOfExamples(
            DataStream<Example> examples, ShardConfig config) {
        return add(examples, webDatasetOfExamples(), config, "webdataset");
    }

    /** Adds an Avro container-file sink of {@code type} records to {@code records}. */
    public static <T extends SpecificRecord> DataStreamSink<T> addAvro(
            DataStream<T> records, Class<T> type, ShardConfig config) {
        return add(records, AvroFileFormat.of(type), config, "avro");
    }

    /**
     * Adds a sink of {@code format} shards to {@code records}, named and with a stable uid derived
     * from {@code kind} and the shard prefix (a job with two file sinks gives them two prefixes).
     */
    public static <T> DataStreamSink<T> add(
            DataStream<T> records, ShardFormat<T> format, ShardConfig config, String kind) {
        String name = kind + "-sink-" + config.prefix();
        return records.sinkTo(sink(format, config)).name(name).uid(name);
    }
}
