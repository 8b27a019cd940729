package io.streamlip.ingest.importer;

import io.streamlip.platform.bounds.BoundedText;

/**
 * A strict import stopped at the first input it refused; the message names the file, the line and
 * the reason (bounded, one line).
 */
public final class ImportRejectedException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final transient ImportRejects.Example rejected;

    public ImportRejectedException(String file, ImportRejects.Example rejected) {
        super(
                BoundedText.cap(file, BoundedText.MAX_DETAIL)
                        + (rejected.line() > 0 ? ":" + rejected.line() : "")
                        + ": "
                        + rejected.reason()
                        + ": "
                        + rejected.detail());
        this.rejected = rejected;
    }

    /** What was refused. */
    public ImportRejects.Example rejected() {
        return rejected;
    }
}
