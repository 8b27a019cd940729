package io.streamlip.ingest.synthetic;

import io.streamlip.ingest.pairs.PairsFolder;
import io.streamlip.platform.image.Images;
import io.streamlip.schemas.RawPair;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * A built-in source of image-text pairs that needs no download: procedural shapes in colours, each
 * with a caption in one of several languages ("a red circle", "Kreis in Rot", "红色的圆形", ...).
 *
 * <p>The class of a pair is {@code shape-colour}; position, size, rotation and background vary, so
 * a model must learn shape and colour rather than memorise pixels. Deterministic for a seed.
 */
public final class SyntheticPairs {

    /** Languages the captions come in. */
    public static final List<String> LANGUAGES = List.of("en", "de", "fr", "es", "zh", "ja");

    static final List<String> SHAPES =
            List.of("circle", "square", "triangle", "cross", "ring", "diamond");
    static final List<String> COLOURS =
            List.of("red", "green", "blue", "yellow", "purple", "orange", "black", "white");

    private static final Map<String, Color> RGB =
            Map.of(
                    "red", new Color(220, 30, 30),
                    "green", new Color(30, 170, 50),
                    "blue", new Color(30, 60, 220),
                    "yellow", new Color(240, 220, 30),
                    "purple", new Color(140, 40, 180),
                    "orange", new Color(250, 140, 20),
                    "black", new Color(15, 15, 15),
                    "white", new Color(250, 250, 250));

    // Caption templates avoid grammatical agreement: "{shape} in {colour}" style phrasing. The
    // Japanese colour words already carry their attaching い/の.
    private static final Map<String, String> TEMPLATES =
            Map.of(
                    "en", "a %2$s %1$s",
                    "de", "%1$s in %2$s",
                    "fr", "%1$s de couleur %2$s",
                    "es", "%1$s de color %2$s",
                    "zh", "%2$s的%1$s",
                    "ja", "%2$s%1$s");

    private static final Map<String, List<String>> SHAPE_WORDS =
            Map.of(
                    "en", SHAPES,
                    "de", List.of("Kreis", "Quadrat", "Dreieck", "Kreuz", "Ring", "Raute"),
                    "fr", List.of("cercle", "carré", "triangle", "croix", "anneau", "losange"),
                    "es", List.of("círculo", "cuadrado", "triángulo", "cruz", "anillo", "rombo"),
                    "zh", List.of("圆形", "正方形", "三角形", "十字", "圆环", "菱形"),
                    "ja", List.of("円", "正方形", "三角形", "十字", "輪", "ひし形"));

    private static final Map<String, List<String>> COLOUR_WORDS =
            Map.of(
                    "en", COLOURS,
                    "de",
                            List.of(
                                    "Rot", "Grün", "Blau", "Gelb", "Lila", "Orange", "Schwarz",
                                    "Weiß"),
                    "fr",
                            List.of(
                                    "rouge",
                                    "verte",
                                    "bleue",
                                    "jaune",
                                    "violette",
                                    "orange",
                                    "noire",
                                    "blanche"),
                    "es",
                            List.of(
                                    "rojo",
                                    "verde",
                                    "azul",
                                    "amarillo",
                                    "morado",
                                    "naranja",
                                    "negro",
                                    "blanco"),
                    "zh", List.of("红色", "绿色", "蓝色", "黄色", "紫色", "橙色", "黑色", "白色"),
                    "ja", List.of("赤い", "緑の", "青い", "黄色い", "紫の", "オレンジの", "黒い", "白い"));

    private final int imageSize;

    /** Pairs with square PNG images of {@code imageSize} pixels (64 by default). */
    public SyntheticPairs(int imageSize) {
        if (imageSize < 8) {
            throw new IllegalArgumentException("imageSize must be at least 8, got " + imageSize);
        }
        this.imageSize = imageSize;
    }

    public SyntheticPairs() {
        this(64);
    }

    /** Number of distinct classes (shape x colour). */
    public static int classCount() {
        return SHAPES.size() * COLOURS.size();
    }

    /** The caption of class ({@code shape}, {@code colour}) in {@code lang}. */
    public static String caption(int shape, int colour, String lang) {
        String template = TEMPLATES.get(lang);
        if (template == null) {
            throw new IllegalArgumentException("no synthetic captions in " + lang);
        }
        return String.format(
                template, SHAPE_WORDS.get(lang).get(shape), COLOUR_WORDS.get(lang).get(colour));
    }

    /** {@code count} pairs, ids {@code synthetic-<seed>-<n>}, deterministic for {@code seed}. */
    public Iterator<RawPair> pairs(long count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return new Iterator<>() {
            long n;

            @Override
            public boolean hasNext() {
                return n < count;
            }

            @Override
            public RawPair next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int shape = random.nextInt(SHAPES.size());
                int colour = random.nextInt(COLOURS.size());
                String lang = LANGUAGES.get(random.nextInt(LANGUAGES.size()));
                byte[] png = png(shape, colour, random);
                return RawPair.newBuilder()
                        .setId("synthetic-" + seed + "-" + n++)
                        .setImage(ByteBuffer.wrap(png))
                        .setAltText(caption(shape, colour, lang))
                        .setSource("synthetic")
                        .setCrawlTime(Instant.now())
                        .setLangHint(lang)
                        .setAttributes(
                                Map.of("class", SHAPES.get(shape) + "-" + COLOURS.get(colour)))
                        .build();
            }
        };
    }

    /**
     * Writes an evaluation set: {@code imagesPerClass} fresh images of every class, each with its
     * caption in every language.
     *
     * @return the number of index lines written
     */
    public long writeEvalSet(Path folder, int imagesPerClass, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        try (PairsFolder.Writer out = new PairsFolder.Writer(folder)) {
            for (int s = 0; s < SHAPES.size(); s++) {
                for (int c = 0; c < COLOURS.size(); c++) {
                    String label = SHAPES.get(s) + "-" + COLOURS.get(c);
                    for (int k = 0; k < imagesPerClass; k++) {
                        String image = out.image(label + "-" + k + ".png", png(s, c, random));
                        for (String lang : LANGUAGES) {
                            out.add(new PairsFolder.Entry(image, caption(s, c, lang), lang, label));
                        }
                    }
                }
            }
            return out.lines();
        }
    }

    private byte[] png(int shape, int colour, SplittableRandom random) {
        BufferedImage img = new BufferedImage(imageSize, imageSize, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            int grey =
                    80 + random.nextInt(100); // mid-grey backgrounds keep black and white visible
            g.setColor(new Color(grey, grey, grey));
            g.fillRect(0, 0, imageSize, imageSize);
            double size = imageSize * (0.45 + 0.35 * random.nextDouble());
            double cx = size / 2 + random.nextDouble() * (imageSize - size);
            double cy = size / 2 + random.nextDouble() * (imageSize - size);
            g.rotate((random.nextDouble() - 0.5) * 0.6, cx, cy);
            g.setColor(RGB.get(COLOURS.get(colour)));
            draw(g, SHAPES.get(shape), cx, cy, size);
        } finally {
            g.dispose();
        }
        return Images.png(img);
    }

    private static void draw(Graphics2D g, String shape, double cx, double cy, double size) {
        double h = size / 2;
        int x0 = (int) Math.round(cx - h);
        int y0 = (int) Math.round(cy - h);
        int s = (int) Math.round(size);
        switch (shape) {
            case "circle" -> g.fill(new Ellipse2D.Double(cx - h, cy - h, size, size));
            case "square" -> g.fillRect(x0, y0, s, s);
            case "triangle" ->
                    g.fillPolygon(
                            new Polygon(
                                    new int[] {(int) cx, x0 + s, x0},
                                    new int[] {y0, y0 + s, y0 + s},
                                    3));
            case "cross" -> {
                int bar = Math.max(2, s / 3);
                g.fillRect(x0, (int) (cy - bar / 2.0), s, bar);
                g.fillRect((int) (cx - bar / 2.0), y0, bar, s);
            }
            case "ring" -> {
                g.setStroke(new BasicStroke((float) Math.max(2, size / 6)));
                double r = h * 0.8;
                g.draw(new Ellipse2D.Double(cx - r, cy - r, 2 * r, 2 * r));
            }
            case "diamond" ->
                    g.fillPolygon(
                            new Polygon(
                                    new int[] {(int) cx, x0 + s, (int) cx, x0},
                                    new int[] {y0, (int) cy, y0 + s, (int) cy},
                                    4));
            default -> throw new IllegalArgumentException(shape);
        }
    }
}
