package io.streamlip.trainer.device;

import java.util.Locale;

/** Where the trainer computes, as asked for on the command line ({@code --device}). */
public enum DeviceChoice {
    /** The first GPU when DJL's PyTorch engine sees one, else the CPU (default). */
    AUTO,
    /** The CPU, even when a GPU is there. */
    CPU,
    /** The first GPU; an error when DJL's PyTorch engine sees none. */
    GPU;

    /** Parses {@code auto}, {@code cpu} or {@code gpu} (any case). */
    public static DeviceChoice parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(
                    "device must be auto, cpu or gpu, got '" + value + "'", e);
        }
    }
}
