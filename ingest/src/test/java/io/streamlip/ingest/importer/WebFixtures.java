package io.streamlip.ingest.importer;

import io.streamlip.ingest.parquet.PlainCodecs;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;

/** Writes the web formats' fixtures in tests: Parquet (with parquet-avro), tar shards, text. */
public final class WebFixtures {
    private WebFixtures() {}

    /**
     * A Parquet file of {@code rows} (column name to value; null for a missing value) in the Avro
     * {@code schema}, written without Hadoop. AvroParquetWriter's builder(OutputFile) and
     * withConf(ParquetConfiguration) are reached through method handles: their Hadoop-typed
     * overloads would make javac load Hadoop classes.
     */
    public static Path parquet(
            Path file, Schema schema, List<Map<String, Object>> rows, CompressionCodecName codec)
            throws IOException {
        try (ParquetWriter<GenericRecord> writer = writer(file, schema, codec)) {
            for (Map<String, Object> row : rows) {
                GenericRecord r = new GenericData.Record(schema);
                row.forEach(r::put);
                writer.write(r);
            }
        }
        return file;
    }

    @SuppressWarnings("unchecked")
    private static ParquetWriter<GenericRecord> writer(
            Path file, Schema schema, CompressionCodecName codec) throws IOException {
        try {
            var lookup = MethodHandles.publicLookup();
            Object builder =
                    lookup.findStatic(
                                    AvroParquetWriter.class,
                                    "builder",
                                    MethodType.methodType(
                                            AvroParquetWriter.Builder.class, OutputFile.class))
                            .invoke(new LocalOutputFile(file));
            builder =
                    lookup.findVirtual(
                                    ParquetWriter.Builder.class,
                                    "withConf",
                                    MethodType.methodType(
                                            ParquetWriter.Builder.class,
                                            ParquetConfiguration.class))
                            .invoke(builder, new PlainParquetConfiguration());
            return ((AvroParquetWriter.Builder<GenericRecord>) builder)
                    .withSchema(schema)
                    .withDataModel(GenericData.get())
                    .withCodecFactory(PlainCodecs.INSTANCE)
                    .withCompressionCodec(codec)
                    .withRowGroupSize(64L * 1024)
                    .build();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** One tar member: a name and its bytes. */
    public record Member(String name, byte[] bytes) {
        public static Member text(String name, String text) {
            return new Member(name, text.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** A tar file of {@code members}, in order. */
    public static Path tar(Path file, List<Member> members) throws IOException {
        try (OutputStream out = Files.newOutputStream(file);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Member m : members) {
                TarArchiveEntry entry = new TarArchiveEntry(m.name());
                entry.setSize(m.bytes().length);
                tar.putArchiveEntry(entry);
                tar.write(m.bytes());
                tar.closeArchiveEntry();
            }
        }
        return file;
    }

    /** A row as a map, from alternating names and values. */
    public static Map<String, Object> row(Object... namesAndValues) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            row.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return row;
    }
}
