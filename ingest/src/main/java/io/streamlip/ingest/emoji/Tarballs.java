package io.streamlip.ingest.emoji;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** Streams the entries of an npm tarball ({@code .tgz}) without extracting it. */
final class Tarballs {
    private static final int BUFFER = 1 << 16;

    private Tarballs() {}

    /** Sees one file entry; reads its content from {@code content} if it wants it. */
    @FunctionalInterface
    interface Visitor {
        /**
         * @param name the entry's path inside the tarball, e.g. {@code package/emoji.json}
         * @param content the entry's bytes (ends at the end of the entry; do not close)
         * @return false to stop reading the tarball
         */
        boolean visit(String name, InputStream content) throws IOException;
    }

    /** Visits every regular file of {@code tgz} in tarball order until the visitor says stop. */
    static void forEachFile(Path tgz, Visitor visitor) {
        try (InputStream file = Files.newInputStream(tgz);
                TarArchiveInputStream tar =
                        new TarArchiveInputStream(
                                new GZIPInputStream(
                                        new BufferedInputStream(file, BUFFER), BUFFER))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (entry.isFile() && !visitor.visit(entry.getName(), tar)) {
                    return;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read "
                            + tgz
                            + " (a broken or partial download? delete it and fetch"
                            + " it again): "
                            + e.getMessage(),
                    e);
        }
    }
}
