package io.streamlip.trainer.model;

import java.util.List;
import java.util.Locale;

/**
 * Shape of the captioner's text decoder ({@link ModelFamily#CAPTIONER}): pre-LN blocks of causal
 * self-attention, cross-attention to the image tower's patch tokens and an MLP (the MLP ratio is
 * the model's {@code mlpRatio}).
 *
 * <p>The decoder's token table holds the tokenizer's ids, then one language prompt per entry of
 * {@code languages} (id {@code vocabSize + i}), then one prompt for any other language (id {@code
 * vocabSize + languages.size()}). Its input is the prompt followed by the caption's tokens; it
 * predicts the caption's tokens up to the end-of-sequence id, never a prompt.
 *
 * @param depth decoder blocks
 * @param width decoder width (image tokens are projected to it)
 * @param heads attention heads; divide {@code width}
 * @param maxLength most caption tokens written, the end-of-sequence id included; at most the
 *     model's {@code contextLength}
 * @param languages language codes with their own prompt token (lower case, distinct)
 * @param contrastive whether the two-tower sigmoid loss on the same image tower trains beside the
 *     decoder (SigLIP 2's decoder beside SigLIP), which also makes retrieval available
 */
public record DecoderConfig(
        int depth,
        int width,
        int heads,
        int maxLength,
        List<String> languages,
        boolean contrastive) {

    /** Most language prompts: bounds the token table. */
    public static final int MAX_LANGUAGES = 256;

    public DecoderConfig {
        positive("decoder depth", depth);
        positive("decoder width", width);
        positive("decoder heads", heads);
        if (maxLength < 2) {
            throw new IllegalArgumentException(
                    "decoder maxLength must be at least 2, got " + maxLength);
        }
        if (width % heads != 0) {
            throw new IllegalArgumentException(
                    "decoder heads " + heads + " must divide decoder width " + width);
        }
        languages = languages == null ? List.of() : List.copyOf(languages);
        if (languages.size() > MAX_LANGUAGES) {
            throw new IllegalArgumentException(
                    languages.size() + " decoder languages, at most " + MAX_LANGUAGES);
        }
        if (languages.stream().distinct().count() != languages.size()) {
            throw new IllegalArgumentException("decoder languages repeat: " + languages);
        }
        for (String lang : languages) {
            if (lang.isEmpty()
                    || lang.length() > 16
                    || !lang.equals(lang.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException(
                        "decoder language '" + lang + "' must be a lower-case code of 1-16 chars");
            }
        }
    }

    /** Prompt tokens: one per language and one for any other. */
    public int promptCount() {
        return languages.size() + 1;
    }

    /**
     * This shape with a prompt for each of {@code langs} (codes in any case, {@code _} or {@code -}
     * before a region) that has none yet, appended after the existing ones so that their ids stay;
     * a code whose base language has a prompt ({@code pt-BR} with {@code pt}) gets none.
     */
    public DecoderConfig promptsExtendedTo(List<String> langs) {
        List<String> all = new java.util.ArrayList<>(languages);
        for (String lang : langs) {
            String code = lang.toLowerCase(Locale.ROOT).replace('_', '-');
            int dash = code.indexOf('-');
            if (!all.contains(code) && (dash < 0 || !all.contains(code.substring(0, dash)))) {
                all.add(code);
            }
        }
        return all.size() == languages.size()
                ? this
                : new DecoderConfig(depth, width, heads, maxLength, all, contrastive);
    }

    /** This shape with the sigmoid loss beside the decoder switched on or off. */
    public DecoderConfig withContrastive(boolean on) {
        return new DecoderConfig(depth, width, heads, maxLength, languages, on);
    }

    private static void positive(String field, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + " must be positive, got " + value);
        }
    }
}
