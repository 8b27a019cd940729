package io.streamlip.ingest.importer;

import io.streamlip.platform.bounds.BoundedText;

/** A unit of input refused for {@link #reason()}; cheap (no stack trace). */
public final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;
    private final ImportReason reason;

    public Refusal(ImportReason reason, String detail) {
        super(BoundedText.detail(detail), null, false, false);
        this.reason = reason;
    }

    public ImportReason reason() {
        return reason;
    }

    /** What was wrong, one line of at most {@link BoundedText#MAX_DETAIL} characters. */
    public String detail() {
        return getMessage();
    }
}
