package io.streamlip.trainer.eval;

import io.streamlip.tokenize.CaptionTokenizer;
import io.streamlip.trainer.TrainingSession;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Evaluates a captioner on an evaluation set, per language: every image the language's pairs show
 * is captioned greedily in that language, and compared with the texts of those pairs (its
 * references), each read back through the tokenizer (encode, truncate as in training, decode) so
 * that a caption the model can write matches exactly. Exact match: the caption equals a reference
 * (whitespace at the ends ignored); BLEU-4: {@link Bleu} over the language's captions.
 */
public final class CaptionEvaluator {
    private static final int BATCH = 64;

    private CaptionEvaluator() {}

    /** Captions and scores the set's images; see the class comment. */
    public static CaptionReport evaluate(
            TrainingSession session, EvalSet set, CaptionTokenizer tokenizer) {
        int maxLength = session.config().decoder().maxLength();
        // lang -> image -> reference texts, in the set's order
        Map<String, Map<Integer, List<String>>> byLang = new TreeMap<>();
        for (int p = 0; p < set.pairCount(); p++) {
            byLang.computeIfAbsent(set.pairLang(p), k -> new LinkedHashMap<>())
                    .computeIfAbsent(set.pairImage(p), k -> new ArrayList<>())
                    .add(reference(set, p, maxLength, tokenizer));
        }
        int plane = 3 * set.imageSize() * set.imageSize();
        Map<String, CaptionReport.Metrics> metrics = new LinkedHashMap<>();
        byLang.forEach(
                (lang, images) -> {
                    List<Integer> ids = new ArrayList<>(images.keySet());
                    Bleu bleu = new Bleu();
                    int exact = 0;
                    String example = "";
                    for (int start = 0; start < ids.size(); start += BATCH) {
                        int count = Math.min(BATCH, ids.size() - start);
                        float[] chunk = new float[count * plane];
                        for (int i = 0; i < count; i++) {
                            System.arraycopy(
                                    set.images(),
                                    ids.get(start + i) * plane,
                                    chunk,
                                    i * plane,
                                    plane);
                        }
                        int[][] written =
                                session.caption(
                                        chunk,
                                        count,
                                        Collections.nCopies(count, lang),
                                        tokenizer.eosId());
                        for (int i = 0; i < count; i++) {
                            String caption = tokenizer.decode(written[i]).strip();
                            List<String> refs = images.get(ids.get(start + i));
                            if (refs.contains(caption)) {
                                exact++;
                            }
                            bleu.addTexts(caption, refs);
                            if (start + i == 0) {
                                example = caption;
                            }
                        }
                    }
                    metrics.put(
                            lang,
                            new CaptionReport.Metrics(
                                    (double) exact / ids.size(),
                                    bleu.score(),
                                    ids.size(),
                                    example));
                });
        return CaptionReport.of(metrics);
    }

    /** Pair {@code p}'s text as the decoder is trained to write it: its first maxLength ids. */
    private static String reference(EvalSet set, int p, int maxLength, CaptionTokenizer tokenizer) {
        int context = set.contextLength();
        int[] ids = Arrays.copyOfRange(set.tokenIds(), p * context, p * context + maxLength);
        return tokenizer.decode(ids).strip();
    }
}
