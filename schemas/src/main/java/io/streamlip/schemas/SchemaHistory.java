package io.streamlip.schemas;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * Every schema each record type has had, so readers can decode records written by older writers.
 *
 * <p>The history lives in {@code resources/io/streamlip/schemas/history/}: one file per version,
 * named {@code <Record>.v<N>.avsc}, self-contained (nested records inlined), listed in {@code
 * INDEX}. When a schema in {@code src/main/avro} changes, add the new version here; {@code
 * SchemaHistoryTest} fails until you do, and tells you what to write.
 */
public final class SchemaHistory {
    static final String FOLDER = "/io/streamlip/schemas/history/";

    private SchemaHistory() {}

    /** All recorded versions of the record with this full name, oldest first. */
    public static List<Schema> load(String fullName) {
        String simpleName = fullName.substring(fullName.lastIndexOf('.') + 1);
        List<Schema> versions = new ArrayList<>();
        for (String file : index()) {
            if (file.startsWith(simpleName + ".v")) {
                versions.add(parse(file));
            }
        }
        return versions;
    }

    /** The file names listed in the history's index. */
    static List<String> index() {
        try {
            String text = AvroSerde.readResource(FOLDER + "INDEX");
            if (text == null) {
                throw new IllegalStateException(
                        "schema history index missing: " + FOLDER + "INDEX");
            }
            List<String> files = new ArrayList<>();
            for (String line : text.split("\n")) {
                String name = line.strip();
                if (!name.isEmpty() && !name.startsWith("#")) {
                    files.add(name);
                }
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Schema parse(String file) {
        try {
            String text = AvroSerde.readResource(FOLDER + file);
            if (text == null) {
                throw new IllegalStateException("schema history lists a missing file: " + file);
            }
            return new Schema.Parser().parse(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
