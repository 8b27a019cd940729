package io.streamlip.ingest.importer;

/**
 * Told how far an import has got, e.g. to drive a progress bar ({@code bar.maxHint(total);
 * bar.stepTo(done)}). Called on the importing thread after every pair, so it must be cheap.
 */
@FunctionalInterface
public interface ImportListener {
    /** Does nothing. */
    ImportListener NONE = (done, total) -> {};

    /**
     * @param done pairs handed to the sink so far
     * @param total pairs the import will hand over in all, or -1 when the importer cannot know
     */
    void progress(long done, long total);
}
