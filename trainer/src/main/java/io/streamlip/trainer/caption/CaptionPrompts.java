package io.streamlip.trainer.caption;

import io.streamlip.trainer.model.DecoderConfig;
import io.streamlip.trainer.model.ModelConfig;
import java.util.List;
import java.util.Locale;

/**
 * Language prompts and the teacher-forcing layout. The prompt of language {@code lang} is id {@code
 * vocabSize + i} for {@code lang} the i-th of {@link DecoderConfig#languages}, and {@code vocabSize
 * + languages.size()} for any other language or none; codes compare in lower case with a region
 * dropped ({@code pt-BR} reads as {@code pt}) when only the base language has a prompt.
 *
 * <p>For a caption {@code c_0 .. c_{n-1}} (ending with the end-of-sequence id, padded with 0) and L
 * the decoder's {@code maxLength}: input {@code [prompt, c_0, .., c_{L-2}]}, target {@code c_0 ..
 * c_{L-1}}, target mask the caption's padding mask: the loss never scores padding.
 */
public final class CaptionPrompts {
    private CaptionPrompts() {}

    /** The prompt id of {@code lang} (may be null) for the model {@code config}. */
    public static int promptId(ModelConfig config, String lang) {
        DecoderConfig decoder = config.decoder();
        List<String> languages = decoder.languages();
        int other = config.vocabSize() + languages.size();
        if (lang == null) {
            return other;
        }
        String code = lang.toLowerCase(Locale.ROOT).replace('_', '-');
        int i = languages.indexOf(code);
        if (i < 0 && code.indexOf('-') > 0) {
            i = languages.indexOf(code.substring(0, code.indexOf('-')));
        }
        return i < 0 ? other : config.vocabSize() + i;
    }

    /**
     * The decoder's inputs, targets and target mask, each {@code B x L} row-major.
     *
     * @param tokenIds padded captions {@code B x S}, S the context length (at least L)
     * @param mask their padding mask
     * @param langs each caption's language
     */
    public record TeacherForcing(int[] inputs, int[] targets, float[] targetMask, int length) {}

    /** Lays out a batch of padded captions for teacher forcing; see the class comment. */
    public static TeacherForcing teacherForcing(
            ModelConfig config, int[] tokenIds, float[] mask, List<String> langs) {
        int batch = langs.size();
        int context = config.contextLength();
        int length = config.decoder().maxLength();
        if (tokenIds.length != batch * context || mask.length != batch * context) {
            throw new IllegalArgumentException(
                    "captions of " + tokenIds.length + " ids for " + batch + " x " + context);
        }
        int[] inputs = new int[batch * length];
        int[] targets = new int[batch * length];
        float[] targetMask = new float[batch * length];
        for (int b = 0; b < batch; b++) {
            int in = b * length;
            int src = b * context;
            inputs[in] = promptId(config, langs.get(b));
            System.arraycopy(tokenIds, src, inputs, in + 1, length - 1);
            System.arraycopy(tokenIds, src, targets, in, length);
            System.arraycopy(mask, src, targetMask, in, length);
        }
        return new TeacherForcing(inputs, targets, targetMask, length);
    }
}
