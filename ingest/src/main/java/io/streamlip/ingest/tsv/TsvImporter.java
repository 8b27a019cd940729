package io.streamlip.ingest.tsv;

import io.streamlip.ingest.importer.BoundedLines;
import io.streamlip.ingest.importer.FileImporter;
import io.streamlip.ingest.importer.ImportBounds;
import io.streamlip.ingest.importer.ImportReason;
import io.streamlip.ingest.importer.Refusal;
import io.streamlip.schemas.RawPair;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Imports tab-separated URL lists as Conceptual Captions ship them: CC3M's {@code caption<TAB>url}
 * and CC12M's {@code url<TAB>caption}, one pair per line, no header; on each line the column that
 * is an http(s) URL is the URL, the other the caption (the second column when both look like one).
 * A first line whose cells name the columns ({@code url}, {@code caption} or {@code text},
 * optionally {@code language}/{@code lang}, {@code width}, {@code height}, {@code similarity}; any
 * case) is a header, and then the columns are taken by name and extra columns are allowed. Pairs
 * carry the URL ({@code image_url}), id {@code ...:<line>}.
 *
 * <p>Refused lines: longer than {@link ImportBounds#maxLineBytes()} or a field beyond its bound
 * ({@code field_too_large}), not UTF-8 ({@code not_utf8}), without two columns of which one is a
 * URL ({@code bad_columns}), or a header-named URL that is not http(s) ({@code bad_url}). Blank
 * lines are passed over.
 */
public final class TsvImporter extends FileImporter {
    private static final List<String> URL = List.of("url", "image_url");
    private static final List<String> CAPTION = List.of("caption", "text", "alt_text");
    private static final List<String> LANGUAGE = List.of("language", "lang");

    public TsvImporter(Path path, List<Path> files, ImportBounds bounds, Instant crawlTime) {
        super("tsv", path, files, bounds, crawlTime);
    }

    @Override
    protected Cursor open(Path file, Context context) throws IOException {
        InputStream in = Files.newInputStream(file);
        BoundedLines lines = new BoundedLines(in, context.bounds().maxLineBytes());
        return new Cursor() {
            private Map<String, Integer> header;

            @Override
            public RawPair next() throws IOException {
                while (lines.next()) {
                    long n = lines.number();
                    try {
                        if (lines.tooLong()) {
                            throw new Refusal(
                                    ImportReason.FIELD_TOO_LARGE,
                                    "line longer than "
                                            + context.bounds().maxLineBytes()
                                            + " bytes");
                        }
                        String line = lines.text();
                        if (line.isBlank()) {
                            continue;
                        }
                        String[] cells = line.split("\t", -1);
                        if (n == 1 && (header = header(cells)) != null) {
                            continue;
                        }
                        return header == null ? plain(n, cells) : named(n, cells);
                    } catch (Refusal r) {
                        context.reject(n, r);
                    }
                }
                return null;
            }

            private RawPair plain(long n, String[] cells) throws Refusal {
                if (cells.length != 2) {
                    throw new Refusal(
                            ImportReason.BAD_COLUMNS,
                            "expected caption<TAB>url or url<TAB>caption, got "
                                    + cells.length
                                    + " columns");
                }
                boolean secondIsUrl = FileImporter.isHttpUrl(cells[1].strip());
                if (!secondIsUrl && !FileImporter.isHttpUrl(cells[0].strip())) {
                    throw new Refusal(ImportReason.BAD_COLUMNS, "neither column is an http(s) URL");
                }
                String url = secondIsUrl ? cells[1] : cells[0];
                String caption = secondIsUrl ? cells[0] : cells[1];
                return context.urlPair(Long.toString(n), url, caption, null, Map.of());
            }

            private RawPair named(long n, String[] cells) throws Refusal {
                Map<String, String> attributes = new HashMap<>(4);
                for (String a : List.of("width", "height", "similarity")) {
                    attributes.put(a, cell(cells, header.get(a)));
                }
                return context.urlPair(
                        Long.toString(n),
                        cell(cells, header.get("url")),
                        cell(cells, header.get("caption")),
                        cell(cells, header.get("language")),
                        attributes);
            }

            @Override
            public void close() throws IOException {
                lines.close();
            }
        };
    }

    private static String cell(String[] cells, Integer index) {
        return index == null || index >= cells.length ? null : cells[index];
    }

    /** The columns by role when {@code cells} name a URL and a caption column; else null. */
    static Map<String, Integer> header(String[] cells) {
        Map<String, Integer> roles = new HashMap<>();
        for (int i = 0; i < cells.length; i++) {
            String c = cells[i].strip().toLowerCase(Locale.ROOT);
            if (URL.contains(c)) {
                roles.putIfAbsent("url", i);
            } else if (CAPTION.contains(c)) {
                roles.putIfAbsent("caption", i);
            } else if (LANGUAGE.contains(c)) {
                roles.putIfAbsent("language", i);
            } else if (c.equals("width") || c.equals("height") || c.equals("similarity")) {
                roles.putIfAbsent(c, i);
            }
        }
        return roles.containsKey("url") && roles.containsKey("caption") ? roles : null;
    }
}
