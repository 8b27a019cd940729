package io.streamlip.ingest.noise;

import io.streamlip.platform.kafka.PairProducer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Where the simulator's ground truth goes, out of the filters' sight: the Kafka header {@value
 * #HEADER} on each record (the jobs read only key and value), and optionally a side file of {@code
 * id<TAB>kind} lines.
 */
public final class GroundTruth {
    /** Kafka header holding the {@link NoiseKind#code()} of a record. */
    public static final String HEADER = "streamlip.noise";

    private GroundTruth() {}

    /** The headers that carry {@code pair}'s kind. */
    public static RecordHeaders headers(NoisyPair pair) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(HEADER, pair.kind().code().getBytes(StandardCharsets.UTF_8));
        return headers;
    }

    /** The kind a record's headers carry; null when they carry none. */
    public static NoiseKind kindOf(Headers headers) {
        var header = headers.lastHeader(HEADER);
        return header == null
                ? null
                : NoiseKind.of(new String(header.value(), StandardCharsets.UTF_8));
    }

    /** Sends {@code pair} with its ground-truth header. */
    public static void send(PairProducer producer, NoisyPair pair) {
        producer.send(pair.pair(), headers(pair));
    }

    /** Writes {@code id<TAB>kind} lines. */
    public static final class SideFile implements AutoCloseable {
        private final BufferedWriter out;

        public SideFile(Path file) {
            try {
                this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write ground truth to " + file, e);
            }
        }

        public void add(NoisyPair pair) {
            try {
                out.write(pair.pair().getId() + "\t" + pair.kind().code() + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Reads a side file back: id to kind. */
    public static Map<String, NoiseKind> read(Path file) {
        Map<String, NoiseKind> kinds = new HashMap<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int tab = line.lastIndexOf('\t');
                if (tab > 0) {
                    kinds.put(line.substring(0, tab), NoiseKind.of(line.substring(tab + 1)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read ground truth " + file, e);
        }
        return kinds;
    }
}
