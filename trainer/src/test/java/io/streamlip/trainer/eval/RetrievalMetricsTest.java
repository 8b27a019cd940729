package io.streamlip.trainer.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetrievalMetricsTest {

    private static float[] unit(double... v) {
        double n = 0;
        for (double x : v) {
            n += x * x;
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / Math.sqrt(n));
        }
        return out;
    }

    @Test
    void handMadeEmbeddingsGiveTheHandCountedRecalls() {
        // Images A, B, C on the axes. Text a matches A; text b points at C (a wrong match);
        // text c matches C.
        float[][] images = {unit(1, 0, 0), unit(0, 1, 0), unit(0, 0, 1)};
        String[] imageClasses = {"A", "B", "C"};
        float[][] texts = {unit(1, 0.1, 0), unit(0, 0.5, 1), unit(0, 0, 1)};
        String[] textClasses = {"A", "B", "C"};
        EvalReport.Metrics m =
                RetrievalMetrics.compute(images, imageClasses, texts, textClasses, 3);
        // I->T: A -> a (hit). B -> similarities a 0.0995, b 0.447, c 0: b first (hit).
        //       C -> c 1.0, b 0.894: c first (hit).
        assertThat(m.i2tR1()).isCloseTo(1.0, within(1e-12));
        // T->I: a -> A (hit). b -> C 0.894 beats B 0.447 (miss at 1, hit at 5). c -> C (hit).
        assertThat(m.t2iR1()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(m.t2iR5()).isCloseTo(1.0, within(1e-12));
        // Zero-shot equals i2t@1 with one text per class.
        assertThat(m.zeroshotAcc()).isCloseTo(1.0, within(1e-12));
        assertThat(m.chanceR1()).isCloseTo(1.0 / 3, within(1e-12));
        assertThat(m.n()).isEqualTo(3);
    }

    @Test
    void recallAtFiveAndTenCountAnyMatchInTheTopK() {
        // One image of class X; 12 texts, the only X text ranked 7th by similarity.
        float[][] images = {unit(1, 0)};
        String[] imageClasses = {"X"};
        List<float[]> texts = new ArrayList<>();
        List<String> classes = new ArrayList<>();
        for (int k = 0; k < 12; k++) {
            texts.add(unit(1, 0.1 * k));
            classes.add(k == 6 ? "X" : "Y" + k);
        }
        EvalReport.Metrics m =
                RetrievalMetrics.compute(
                        images,
                        imageClasses,
                        texts.toArray(float[][]::new),
                        classes.toArray(String[]::new),
                        12);
        assertThat(m.i2tR1()).isZero();
        assertThat(m.i2tR5()).isZero();
        assertThat(m.i2tR10()).isEqualTo(1.0);
    }

    @Test
    void aCollapsedModelScoresChanceNotPerfect() {
        float[] same = unit(1, 1);
        float[][] images = {same, same, same, same};
        float[][] texts = {same, same, same, same};
        String[] classes = {"A", "B", "C", "D"};
        EvalReport.Metrics m = RetrievalMetrics.compute(images, classes, texts, classes, 4);
        assertThat(m.i2tR1()).isCloseTo(0.25, within(1e-12));
        assertThat(m.t2iR1()).isCloseTo(0.25, within(1e-12));
        assertThat(m.zeroshotAcc()).isCloseTo(0.25, within(1e-12));
    }

    @Test
    void zeroShotAveragesTheTextsOfAClass() {
        // Class A has two texts whose mean points at the image; alone each is beaten by B's text.
        float[][] images = {unit(1, 0, 0)};
        String[] imageClasses = {"A"};
        float[][] texts = {unit(0.6, 0.8, 0), unit(0.6, -0.8, 0), unit(0.7, 0, 0.714)};
        String[] textClasses = {"A", "A", "B"};
        assertThat(RetrievalMetrics.zeroShot(images, imageClasses, texts, textClasses))
                .isEqualTo(1.0);
        assertThat(RetrievalMetrics.recall(images, imageClasses, texts, textClasses)[0]).isZero();
    }

    @Test
    void jsonHasExactlyTheDocumentedShape() throws Exception {
        EvalReport.Metrics en = new EvalReport.Metrics(0.5, 0.6, 0.7, 0.4, 0.5, 0.6, 0.3, 10, 0.1);
        EvalReport.Metrics de = new EvalReport.Metrics(0.1, 0.2, 0.3, 0.2, 0.3, 0.4, 0.1, 30, 0.1);
        EvalReport report = EvalReport.of(Map.of("en", en, "de", de));
        JsonNode json = new ObjectMapper().readTree(report.toJson());
        assertThat(json.fieldNames()).toIterable().containsExactly("languages", "mean");
        assertThat(json.get("languages").fieldNames()).toIterable().containsExactly("de", "en");
        List<String> keys =
                List.of(
                        "i2t_r1",
                        "i2t_r5",
                        "i2t_r10",
                        "t2i_r1",
                        "t2i_r5",
                        "t2i_r10",
                        "zeroshot_acc",
                        "n",
                        "chance_r1");
        assertThat(json.get("languages").get("en").fieldNames())
                .toIterable()
                .containsExactlyElementsOf(keys);
        assertThat(json.get("mean").fieldNames()).toIterable().containsExactlyElementsOf(keys);
        assertThat(json.get("languages").get("en").get("i2t_r1").asDouble()).isEqualTo(0.5);
        assertThat(json.get("mean").get("i2t_r1").asDouble()).isCloseTo(0.3, within(1e-12));
        assertThat(json.get("mean").get("zeroshot_acc").asDouble()).isCloseTo(0.2, within(1e-12));
        assertThat(json.get("mean").get("n").asLong()).isEqualTo(40);
        assertThat(report.toTable()).contains("mean").contains("en").contains("de");
    }
}
