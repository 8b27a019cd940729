package io.streamlip.ingest.importer;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Lines of a stream ({@code \n}, a {@code \r} before it dropped) of at most a bound of bytes: a
 * longer line is skipped to its end without being held in memory and reported as too long. Not
 * thread-safe.
 */
public final class BoundedLines implements Closeable {
    private final InputStream in;
    private final long maxBytes;
    private final byte[] buffer = new byte[1 << 16];
    private int pos;
    private int limit;
    private byte[] line = new byte[256];
    private int length;
    private boolean tooLong;
    private long number;
    private final CharsetDecoder utf8 =
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);

    public BoundedLines(InputStream in, long maxBytes) {
        this.in = in;
        this.maxBytes = maxBytes;
    }

    /**
     * Advances to the next line.
     *
     * @return false at the end of the stream
     */
    public boolean next() throws IOException {
        length = 0;
        tooLong = false;
        boolean any = false;
        while (true) {
            if (pos == limit) {
                limit = in.read(buffer, 0, buffer.length);
                pos = 0;
                if (limit <= 0) {
                    limit = 0;
                    if (!any) {
                        return false;
                    }
                    break;
                }
            }
            any = true;
            int start = pos;
            int end = start;
            while (end < limit && buffer[end] != '\n') {
                end++;
            }
            append(start, end);
            if (end < limit) {
                pos = end + 1;
                break;
            }
            pos = limit;
        }
        number++;
        if (!tooLong && length > 0 && line[length - 1] == '\r') {
            length--;
        }
        return true;
    }

    private void append(int start, int end) {
        int n = end - start;
        if (tooLong || n == 0) {
            return;
        }
        if ((long) length + n > maxBytes) {
            tooLong = true;
            length = 0;
            return;
        }
        if (length + n > line.length) {
            line = Arrays.copyOf(line, Math.max(length + n, line.length * 2));
        }
        System.arraycopy(buffer, start, line, length, n);
        length += n;
    }

    /** The current line's number, from 1. */
    public long number() {
        return number;
    }

    /** Whether the current line was longer than the bound (its bytes are then not kept). */
    public boolean tooLong() {
        return tooLong;
    }

    /**
     * The current line as text.
     *
     * @throws Refusal {@code not_utf8} when it is not valid UTF-8
     */
    public String text() throws Refusal {
        try {
            return utf8.decode(ByteBuffer.wrap(line, 0, length)).toString();
        } catch (CharacterCodingException e) {
            throw new Refusal(ImportReason.NOT_UTF8, "line is not valid UTF-8");
        }
    }

    /** Bytes of the current line. */
    public int length() {
        return length;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
