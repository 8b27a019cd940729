package io.streamlip.tokenize.sentencepiece;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SentencePieceTokenizer#canonical} against the canonicalization transformers'
 * SiglipTokenizer runs, written in Python as it is there ({@code str.lower}, {@code
 * string.punctuation} deleted, {@code re.sub(r"\s+", " ")}, {@code strip}), on captions in the
 * demo's scripts. Needs {@code python3}; skipped without it.
 */
@Tag("integration")
class SiglipCanonicalPythonTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final String SCRIPT =
            String.join(
                    "\n",
                    "import json, re, string, sys",
                    "texts = json.load(open(sys.argv[1], encoding='utf-8'))",
                    "out = []",
                    "for t in texts:",
                    "    t = t.lower()",
                    "    t = t.translate(str.maketrans('', '', string.punctuation))",
                    "    t = re.sub(r'\\s+', ' ', t).strip()",
                    "    out.append(t)",
                    "json.dump(out, open(sys.argv[2], 'w', encoding='utf-8'), ensure_ascii=False)");
    private static final List<String> CAPTIONS =
            List.of(
                    "A Photo of a CAT, sitting on a mat!",
                    "  tabs\tand\nnewlines\u00a0and\u2003em spaces  ",
                    "don't-stop_me (now) @home #1 100% [ok] {x} <y> a|b ~z^ `q`",
                    "Ünïcödé ÉTÉ à Paris «guillemets» „Anführungszeichen“",
                    "İSTANBUL'da IŞIK ılık",
                    "ΟΔΟΣ Σοφοκλέους ΣΣ",
                    "Москва, Красная площадь.",
                    "東京タワーの写真。「夜景」",
                    "서울의 밤, 한강!",
                    "مرحبا بالعالم، صورة",
                    "हिन्दी में एक वाक्य।",
                    "ẞ straße STRASSE ǅ ǈ",
                    "😀 emoji: grinning face 👍🏽 (thumbs up)");

    @Test
    void equalsTransformersCanonicalizationOnCaptionsInManyScripts(@TempDir Path dir)
            throws Exception {
        assumeTrue(Files.isExecutable(PYTHON), "no " + PYTHON);
        ObjectMapper json = new ObjectMapper();
        Path in = dir.resolve("in.json");
        Path out = dir.resolve("out.json");
        Path script = dir.resolve("canonical.py");
        json.writeValue(in.toFile(), CAPTIONS);
        Files.writeString(script, SCRIPT, StandardCharsets.UTF_8);
        Process p =
                new ProcessBuilder(
                                PYTHON.toString(), script.toString(), in.toString(), out.toString())
                        .redirectErrorStream(true)
                        .start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(log).isZero();
        List<?> expected = json.readValue(out.toFile(), List.class);
        for (int i = 0; i < CAPTIONS.size(); i++) {
            assertThat(SentencePieceTokenizer.canonical(CAPTIONS.get(i)))
                    .as(CAPTIONS.get(i))
                    .isEqualTo(expected.get(i));
        }
    }
}
