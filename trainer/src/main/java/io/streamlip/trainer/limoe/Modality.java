package io.streamlip.trainer.limoe;

import java.util.Locale;

/** The two kinds of token LIMoE's one transformer reads. */
public enum Modality {
    IMAGE,
    TEXT;

    /** Lower-case name, as metric keys carry it. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
