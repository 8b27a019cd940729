package io.streamlip.tokenize.subword;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Captions in the demo's scripts, accents, CJK and emoji; and random strings, for the tests. */
final class MultilingualText {
    static final List<String[]> CAPTIONS =
            List.of(
                    new String[] {"en", "grinning face with big eyes"},
                    new String[] {"en", "smiling face with smiling eyes | face | smile"},
                    new String[] {"en", "woman technologist: medium skin tone"},
                    new String[] {"de", "Gesicht mit Freudentränen | lachen | Träne"},
                    new String[] {"de", "grinsendes Gesicht mit großen Augen"},
                    new String[] {"fr", "visage souriant avec des yeux rieurs | sourire"},
                    new String[] {"fr", "cœur rouge | amour | émotion"},
                    new String[] {"es", "cara sonriendo con ojos grandes | sonrisa"},
                    new String[] {"pt", "rosto sorridente com olhos grandes | coração"},
                    new String[] {"it", "faccina con sorriso e occhi grandi"},
                    new String[] {"pl", "uśmiechnięta twarz z dużymi oczami | źdźbło"},
                    new String[] {"tr", "büyük gözlerle sırıtan yüz | ığüşöç"},
                    new String[] {"ru", "широко улыбающееся лицо с большими глазами"},
                    new String[] {"ru", "красное сердце | любовь"},
                    new String[] {"el", "χαμογελαστό πρόσωπο με μεγάλα μάτια"},
                    new String[] {"ar", "وجه مبتسم بعينين كبيرتين | ابتسامة"},
                    new String[] {"hi", "बड़ी आँखों वाला मुस्कुराता चेहरा | हँसी"},
                    new String[] {"ja", "大きな目で笑う顔 | にっこり | スマイル"},
                    new String[] {"ja", "ハート | 赤いハート | 愛"},
                    new String[] {"zh", "大眼睛的笑脸 | 笑 | 开心"},
                    new String[] {"zh", "红心 | 爱 | 心"},
                    new String[] {"ko", "눈을 크게 뜨고 웃는 얼굴 | 미소"},
                    new String[] {"und", "😀 🎉 👩🏽‍💻 🇩🇪 ❤️ 1f600.png  x\ty\nz"},
                    new String[] {
                        "und", "e\u0301 combining acute (NFC composes it) ﬁ ligature 2024"
                    });

    private MultilingualText() {}

    /** Random strings of well-formed code points that Java's Unicode version knows. */
    static List<String> random(int count, long seed) {
        Random random = new Random(seed);
        List<String> out = new ArrayList<>();
        while (out.size() < count) {
            StringBuilder s = new StringBuilder();
            int length = 1 + random.nextInt(24);
            while (s.codePointCount(0, s.length()) < length) {
                int cp =
                        switch (random.nextInt(4)) {
                            case 0 -> 0x20 + random.nextInt(0x60); // ASCII
                            case 1 -> random.nextInt(0x3000); // alphabets, marks, symbols
                            case 2 -> random.nextInt(0x10000); // the whole BMP
                            default -> 0x10000 + random.nextInt(0x20000); // emoji, rare CJK
                        };
                if (Character.isDefined(cp)
                        && Character.getType(cp) != Character.SURROGATE
                        && Character.getType(cp) != Character.PRIVATE_USE) {
                    s.appendCodePoint(cp);
                }
            }
            out.add(s.toString());
        }
        return out;
    }

    /** A training corpus: the captions, repeated with variations so pairs reach the min count. */
    static LanguageSample sample() {
        LanguageSample sample = new LanguageSample(1000, 7);
        for (int round = 0; round < 3; round++) {
            for (String[] c : CAPTIONS) {
                sample.offer(c[0], round == 0 ? c[1] : c[1] + " " + round);
            }
        }
        return sample;
    }
}
