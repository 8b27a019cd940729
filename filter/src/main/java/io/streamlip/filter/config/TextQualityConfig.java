package io.streamlip.filter.config;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * What the text-quality filter refuses beyond the length bounds of {@link FilterConfig}.
 *
 * @param boilerplate whether web boilerplate alt-text is refused (default true): file names
 *     ("IMG_0042.jpg"), URLs, "click here" and its kin, a run of one repeated character
 * @param blocklist terms refused wherever they occur in a caption, case-insensitively (default
 *     empty: a deployment brings its own list)
 */
public record TextQualityConfig(boolean boilerplate, List<String> blocklist)
        implements Serializable {
    public TextQualityConfig {
        blocklist =
                blocklist.stream()
                        .map(t -> t.strip().toLowerCase(Locale.ROOT))
                        .filter(t -> !t.isEmpty())
                        .toList();
    }

    public static TextQualityConfig defaults() {
        return new TextQualityConfig(true, List.of());
    }

    public TextQualityConfig withBlocklist(List<String> terms) {
        return new TextQualityConfig(boilerplate, terms);
    }
}
