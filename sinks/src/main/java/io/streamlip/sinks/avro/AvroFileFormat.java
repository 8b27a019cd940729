package io.streamlip.sinks.avro;

import io.streamlip.sinks.shards.ShardFormat;
import io.streamlip.sinks.shards.ShardOutput;
import io.streamlip.sinks.shards.SyncedFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.file.SeekableFileInput;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro object container files ({@code .avro}) of one record type, readable by any Avro reader
 * ({@code DataFileReader}, {@code avro-tools tojson}, Spark, pandas via fastavro): the writer's
 * schema is in the file's header.
 *
 * @param <T> the generated record class
 */
public final class AvroFileFormat<T extends SpecificRecord> implements ShardFormat<T> {
    private static final long serialVersionUID = 1L;

    /** The default codec: deflate level 1, cheap and part of every Avro implementation. */
    public static final String DEFAULT_CODEC = "deflate";

    private final Class<T> type;
    private final String codec;

    /**
     * @param codec an Avro codec name ({@code null}, {@code deflate}, {@code bzip2}, {@code xz};
     *     {@code snappy} and {@code zstandard} need their libraries on the classpath)
     */
    public AvroFileFormat(Class<T> type, String codec) {
        this.type = Objects.requireNonNull(type, "type");
        this.codec = Objects.requireNonNull(codec, "codec");
        CodecFactory.fromString(codec); // fails early on an unknown name
    }

    /** Deflate-compressed files of {@code type}. */
    public static <T extends SpecificRecord> AvroFileFormat<T> of(Class<T> type) {
        return new AvroFileFormat<>(type, DEFAULT_CODEC);
    }

    @Override
    public String extension() {
        return "avro";
    }

    @Override
    public ShardOutput<T> create(Path file, long number) throws IOException {
        SyncedFile out = SyncedFile.create(file);
        DataFileWriter<T> writer = new DataFileWriter<>(new SpecificDatumWriter<>(type));
        writer.setCodec(codec.equals("deflate") ? CodecFactory.deflateCodec(1) : codecFactory());
        writer.create(schema(), out.stream());
        return new Output<>(out, writer);
    }

    @Override
    public ShardOutput<T> resume(Path file, long number, long validLength, int records)
            throws IOException {
        SyncedFile out = SyncedFile.resume(file, validLength);
        DataFileWriter<T> writer = new DataFileWriter<>(new SpecificDatumWriter<>(type));
        try (SeekableFileInput in = new SeekableFileInput(file.toFile())) {
            // Reads the header (schema, codec, sync marker) and appends after the valid length.
            writer.appendTo(in, out.stream());
        } catch (IOException | RuntimeException e) {
            out.close();
            throw e;
        }
        return new Output<>(out, writer);
    }

    private CodecFactory codecFactory() {
        return CodecFactory.fromString(codec);
    }

    private Schema schema() {
        return SpecificData.get().getSchema(type);
    }

    private static final class Output<T> implements ShardOutput<T> {
        private final SyncedFile file;
        private final DataFileWriter<T> writer;

        Output(SyncedFile file, DataFileWriter<T> writer) {
            this.file = file;
            this.writer = writer;
        }

        @Override
        public void write(T record) throws IOException {
            writer.append(record);
        }

        @Override
        public long sync() throws IOException {
            writer.flush(); // ends the block with a sync marker and writes it out
            return file.sync();
        }

        @Override
        public void finish() throws IOException {
            writer.flush();
            file.sync();
            writer.close();
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }
}
