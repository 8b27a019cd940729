package io.streamlip.ingest.formats;

import io.streamlip.ingest.importer.ImportBounds;
import io.streamlip.ingest.importer.PairImporter;
import io.streamlip.ingest.jsonl.JsonlImporter;
import io.streamlip.ingest.pairs.PairsFolder;
import io.streamlip.ingest.pairs.PairsFolderImporter;
import io.streamlip.ingest.parquet.ParquetImporter;
import io.streamlip.ingest.tsv.TsvImporter;
import io.streamlip.ingest.webdataset.WebDatasetImporter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The file formats {@code streamlip import PATH} reads, and how it tells which one a path holds.
 *
 * <p>A file is recognised by its extension ({@code .parquet}, {@code .tsv}, {@code .jsonl} or
 * {@code .ndjson}, {@code .tar}, {@code .tar.gz} or {@code .tgz}; a file named {@code pairs.jsonl} is its folder's pairs-folder
 * index), else by its first bytes: {@code PAR1} (Parquet), {@code ustar} at offset 257 (tar; inside gzip for a
 * gzipped tar), a
 * {@code {} (JSONL), a tab in the first line (TSV). A folder with a {@code pairs.jsonl} is a
 * pairs folder; any other folder is read as the files directly in it with the extension of one
 * format, sorted by name: tar shards first (an img2dataset output folder holds {@code .tar} shards
 * beside {@code .parquet} metadata of the same samples), then Parquet, JSONL, TSV.
 */
public enum ImportFormat {
    /** LAION/DataComp Parquet URL lists ({@link ParquetImporter}). */
    PARQUET(".parquet"),
    /** CC3M/CC12M tab-separated URL lists ({@link TsvImporter}). */
    TSV(".tsv"),
    /** JSON Lines of URLs or base64 images ({@link JsonlImporter}). */
    JSONL(".jsonl", ".ndjson"),
    /** WebDataset tar shards with image bytes ({@link WebDatasetImporter}). */
    WEBDATASET(".tar", ".tar.gz", ".tgz"),
    /** A folder of images with a pairs.jsonl ({@link PairsFolderImporter}). */
    FOLDER();

    private final List<String> extensions;

    ImportFormat(String... extensions) {
        this.extensions = List.of(extensions);
    }

    /** The lower-case name, as {@code --format} takes it. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The format named {@code code} (any case). */
    public static ImportFormat of(String code) {
        for (ImportFormat f : values()) {
            if (f.code().equalsIgnoreCase(code)) {
                return f;
            }
        }
        throw new IllegalArgumentException(
                "unknown format '"
                        + code
                        + "'; one of "
                        + Arrays.stream(values()).map(ImportFormat::code).toList());
    }

    private boolean matches(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return extensions.stream().anyMatch(name::endsWith);
    }

    /**
     * The format of {@code path}.
     *
     * @throws IllegalArgumentException when it does not exist or holds no format this reads
     */
    public static ImportFormat detect(Path path) {
        if (Files.isDirectory(path)) {
            if (Files.isRegularFile(path.resolve(PairsFolder.INDEX))) {
                return FOLDER;
            }
            List<Path> files = regularFiles(path);
            for (ImportFormat f : List.of(WEBDATASET, PARQUET, JSONL, TSV)) {
                if (files.stream().anyMatch(f::matches)) {
                    return f;
                }
            }
            throw new IllegalArgumentException(
                    path
                            + " has no pairs.jsonl and no .tar(.gz), .parquet, .jsonl or .tsv files;"
                            + " name a file or use --format");
        }
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException(
                    "cannot import " + path + ": no such file or folder");
        }
        if (path.getFileName().toString().equals(PairsFolder.INDEX)) {
            return FOLDER;
        }
        for (ImportFormat f : values()) {
            if (f.matches(path)) {
                return f;
            }
        }
        return sniff(path);
    }

    private static ImportFormat sniff(Path file) {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(4096);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        if (head.length >= 4
                && new String(head, 0, 4, StandardCharsets.ISO_8859_1).equals("PAR1")) {
            return PARQUET;
        }
        if (isTar(head) || (gzipped(head) && isTar(gunzippedHead(file)))) {
            return WEBDATASET;
        }
        String text = new String(head, StandardCharsets.UTF_8).stripLeading();
        if (text.startsWith("{")) {
            return JSONL;
        }
        int newline = text.indexOf('\n');
        if (text.substring(0, newline < 0 ? text.length() : newline).indexOf('\t') >= 0) {
            return TSV;
        }
        throw new IllegalArgumentException(
                "cannot tell the format of "
                        + file
                        + " (not Parquet, tar, JSONL or TSV); use --format");
    }

    /**
     * An importer of {@code path} in this format: a file, or the files of this format directly in a
     * folder (a pairs folder: the folder, or the folder of a {@code pairs.jsonl}).
     *
     * @param pairsFolder how a pairs folder is imported (its bounds and strictness)
     * @throws IllegalArgumentException when the path holds nothing of this format
     */
    public PairImporter open(
            Path path,
            ImportBounds bounds,
            PairsFolderImporter.Options pairsFolder,
            Instant crawlTime) {
        if (this == FOLDER) {
            Path folder = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
            return PairsFolderImporter.open(folder, crawlTime, pairsFolder);
        }
        List<Path> files;
        if (Files.isDirectory(path)) {
            files = regularFiles(path).stream().filter(this::matches).toList();
            if (files.isEmpty()) {
                throw new IllegalArgumentException(
                        path + " has no " + String.join(" or ", extensions) + " files");
            }
        } else if (Files.isRegularFile(path)) {
            files = List.of(path.toAbsolutePath().normalize());
        } else {
            throw new IllegalArgumentException(
                    "cannot import " + path + ": no such file or folder");
        }
        return switch (this) {
            case PARQUET -> new ParquetImporter(path, files, bounds, crawlTime);
            case TSV -> new TsvImporter(path, files, bounds, crawlTime);
            case JSONL -> new JsonlImporter(path, files, bounds, crawlTime);
            case WEBDATASET -> new WebDatasetImporter(path, files, bounds, crawlTime);
            case FOLDER -> throw new IllegalStateException("handled above");
        };
    }

    private static boolean isTar(byte[] head) {
        return head.length >= 262
                && new String(head, 257, 5, StandardCharsets.ISO_8859_1).equals("ustar");
    }

    /** Whether {@code head} starts with the gzip magic number. */
    public static boolean gzipped(byte[] head) {
        return head.length >= 2 && (head[0] & 0xFF) == 0x1F && (head[1] & 0xFF) == 0x8B;
    }

    private static byte[] gunzippedHead(Path file) {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return in.readNBytes(512);
        } catch (IOException e) {
            return new byte[0]; // not gzip after all: no format
        }
    }

    private static List<Path> regularFiles(Path folder) {
        try (Stream<Path> entries = Files.list(folder)) {
            List<Path> files = new ArrayList<>();
            entries.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .map(p -> p.toAbsolutePath().normalize())
                    .sorted()
                    .forEach(files::add);
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
    }
}
