package io.streamlip.ingest.parquet;

import io.streamlip.ingest.importer.FileImporter;
import io.streamlip.ingest.importer.ImportBounds;
import io.streamlip.ingest.importer.ImportReason;
import io.streamlip.ingest.importer.Refusal;
import io.streamlip.schemas.RawPair;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.parquet.PlainReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

/**
 * Imports Parquet URL lists as LAION and DataComp ship their metadata: one pair per row, read
 * through parquet's Hadoop-free path ({@link LocalInputFile}, {@link PlainReadOptions} with a
 * {@link PlainParquetConfiguration}, {@link PlainCodecs}), only the columns it uses. Columns, found
 * by name in any case: the URL {@code url} (LAION {@code URL}, or {@code image_url}), the caption
 * {@code caption} ({@code TEXT}, {@code text}, {@code alt_text}), both strings; optional {@code
 * language} ({@code LANGUAGE}, {@code lang}), {@code width}/{@code height} (or {@code
 * original_width}/{@code original_height}), {@code similarity}, and a sample key {@code key}
 * ({@code uid}, {@code SAMPLE_ID}), which become the language hint and attributes. Pairs carry the
 * URL ({@code image_url}), id {@code ...:<row>} (from 1).
 *
 * <p>Refused: a file without a URL or caption string column ({@code missing_column}, once per
 * file); a row without a URL or caption ({@code missing_field}), with a value beyond its bound
 * ({@code field_too_large}), a caption that is not UTF-8 ({@code not_utf8}), a URL that is not
 * http(s) ({@code bad_url}); a file that is not Parquet or is corrupt from some row on ({@code
 * unreadable}, the rest of the file).
 */
public final class ParquetImporter extends FileImporter {
    /** Roles and the column names that fill them, in order of preference. */
    private static final Map<String, List<String>> COLUMNS = new LinkedHashMap<>();

    static {
        COLUMNS.put("url", List.of("url", "image_url"));
        COLUMNS.put("caption", List.of("caption", "text", "alt_text"));
        COLUMNS.put("language", List.of("language", "lang"));
        COLUMNS.put("width", List.of("width", "original_width"));
        COLUMNS.put("height", List.of("height", "original_height"));
        COLUMNS.put("similarity", List.of("similarity"));
        COLUMNS.put("key", List.of("key", "uid", "sample_id"));
    }

    private final long expectedRows;

    public ParquetImporter(Path path, List<Path> files, ImportBounds bounds, Instant crawlTime) {
        super("parquet", path, files, bounds, crawlTime);
        long rows = 0;
        for (Path file : files) {
            try (ParquetFileReader reader = reader(file)) {
                rows += reader.getRecordCount();
            } catch (IOException | RuntimeException e) {
                // Refused (unreadable) when the import reaches it.
            }
        }
        this.expectedRows = rows;
    }

    /** Rows in all the files' footers: the most pairs the import hands over. */
    @Override
    public long expectedPairs() {
        return expectedRows;
    }

    private static ParquetFileReader reader(Path file) throws IOException {
        return new ParquetFileReader(
                new LocalInputFile(file), PlainReadOptions.of(PlainCodecs.INSTANCE));
    }

    @Override
    protected Cursor open(Path file, Context context) throws IOException {
        ParquetFileReader reader = reader(file);
        MessageType schema = reader.getFooter().getFileMetaData().getSchema();
        Map<String, Integer> roles = new HashMap<>();
        List<Type> projected = new ArrayList<>();
        for (Map.Entry<String, List<String>> role : COLUMNS.entrySet()) {
            Type column = column(schema, role.getValue());
            if (column != null) {
                roles.put(role.getKey(), projected.size());
                projected.add(column);
            }
        }
        if (!roles.containsKey("url") || !roles.containsKey("caption")) {
            reader.close();
            context.reject(
                    0,
                    ImportReason.MISSING_COLUMN,
                    "needs a string url (URL) and caption (TEXT) column; has "
                            + schema.getFields().stream().map(Type::getName).toList());
            return () -> null;
        }
        MessageType projection = new MessageType(schema.getName(), projected);
        reader.setRequestedSchema(projection);
        ColumnIOFactory columns = new ColumnIOFactory();
        CharsetDecoder utf8 =
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
        return new Cursor() {
            private RecordReader<Group> rows;
            private long left;
            private long row;

            @Override
            public RawPair next() throws IOException {
                while (true) {
                    while (left == 0) {
                        PageReadStore group = reader.readNextRowGroup();
                        if (group == null) {
                            return null;
                        }
                        left = group.getRowCount();
                        rows =
                                columns.getColumnIO(projection)
                                        .getRecordReader(
                                                group, new GroupRecordConverter(projection));
                    }
                    Group g = rows.read();
                    left--;
                    row++;
                    try {
                        Map<String, String> attributes = new HashMap<>(8);
                        for (String a : List.of("width", "height", "similarity", "key")) {
                            attributes.put(a, value(g, roles.get(a), a));
                        }
                        return context.urlPair(
                                Long.toString(row),
                                value(g, roles.get("url"), "url"),
                                value(g, roles.get("caption"), "caption"),
                                value(g, roles.get("language"), "language"),
                                attributes);
                    } catch (Refusal r) {
                        context.reject(row, r);
                    }
                }
            }

            private String value(Group g, Integer field, String role) throws Refusal {
                if (field == null || g.getFieldRepetitionCount(field) == 0) {
                    return null;
                }
                Type type = projection.getType(field);
                PrimitiveTypeName primitive = type.asPrimitiveType().getPrimitiveTypeName();
                return switch (primitive) {
                    case BINARY, FIXED_LEN_BYTE_ARRAY ->
                            text(g.getBinary(field, 0).getBytes(), role);
                    case DOUBLE -> number(g.getDouble(field, 0));
                    case FLOAT -> number(g.getFloat(field, 0));
                    default -> g.getValueToString(field, 0);
                };
            }

            private String text(byte[] bytes, String role) throws Refusal {
                int max =
                        role.equals("caption")
                                ? context.bounds().maxCaptionChars()
                                : role.equals("url")
                                        ? context.bounds().maxUrlChars()
                                        : context.bounds().maxFieldChars();
                // A char takes at least one byte: more than 4 bytes a char cannot fit.
                if (bytes.length > 4L * max) {
                    throw new Refusal(
                            ImportReason.FIELD_TOO_LARGE,
                            role + " has " + bytes.length + " bytes, more than " + max + " chars");
                }
                try {
                    return utf8.decode(ByteBuffer.wrap(bytes)).toString();
                } catch (CharacterCodingException e) {
                    throw new Refusal(ImportReason.NOT_UTF8, role + " is not valid UTF-8");
                }
            }

            @Override
            public void close() throws IOException {
                reader.close();
            }
        };
    }

    /** A top-level, non-repeated primitive column with one of {@code names} (any case). */
    private static Type column(MessageType schema, List<String> names) {
        for (String name : names) {
            for (Type t : schema.getFields()) {
                if (t.getName().toLowerCase(Locale.ROOT).equals(name)
                        && t.isPrimitive()
                        && !t.isRepetition(Type.Repetition.REPEATED)) {
                    return t;
                }
            }
        }
        return null;
    }

    /** {@code 256} for 256.0 (LAION stores sizes as doubles), else the shortest decimal. */
    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.isFinite(v) ? Double.toString(v) : null;
    }
}
