package io.vlmtagger.training.fewshot;

import io.vlmtagger.checkpoints.SampleImages;
import io.vlmtagger.training.dataset.ImageFormat;
import io.vlmtagger.training.dataset.ShapeColor;
import io.vlmtagger.training.dataset.ShapeKind;
import io.vlmtagger.training.dataset.ShapesDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * The few-shot demo of the local run ({@link SampleImages#FEW_SHOT}): two exemplar sets for one label
 * set, both with labels the model never saw in training ({@link FewShotVocabulary#DEMO_LABELS}),
 * and query images. {@code before}: colours in French on single small circles; {@code after}: counts
 * in Spanish on large white stars. Each set differs only in the property its labels name, as in
 * training; the queries vary every other property. Manifest columns: {@code file, role (before |
 * after | query), tag (exemplars) or empty, description}.
 */
public final class FewShotSamples {
    /** Seed of the demo's renderings. */
    public static final long SEED = 2027;

    private static final Look CIRCLE = new Look(ShapeKind.CIRCLE, ShapeColor.RED, false, 1);
    private static final Look STAR = new Look(ShapeKind.STAR, ShapeColor.WHITE, true, 1);
    private static final List<Object[]> BEFORE = List.of(
            new Object[] {CIRCLE, "rouge"},
            new Object[] {CIRCLE.with(Look.Property.COLOR, ShapeColor.BLUE.ordinal()), "bleu"},
            new Object[] {CIRCLE.with(Look.Property.COLOR, ShapeColor.GREEN.ordinal()), "vert"},
            new Object[] {CIRCLE.with(Look.Property.COLOR, ShapeColor.YELLOW.ordinal()), "jaune"});
    private static final List<Object[]> AFTER = List.of(
            new Object[] {STAR, "uno"},
            new Object[] {STAR.with(Look.Property.COUNT, 1), "dos"},
            new Object[] {STAR.with(Look.Property.COUNT, 2), "tres"},
            new Object[] {STAR.with(Look.Property.COUNT, 1), "dos"});
    private static final List<Look> QUERIES = List.of(
            new Look(ShapeKind.TRIANGLE, ShapeColor.RED, true, 2),
            new Look(ShapeKind.STAR, ShapeColor.BLUE, false, 1),
            new Look(ShapeKind.SQUARE, ShapeColor.GREEN, false, 3),
            new Look(ShapeKind.CROSS, ShapeColor.YELLOW, true, 1),
            new Look(ShapeKind.CIRCLE, ShapeColor.BLUE, true, 3),
            new Look(ShapeKind.STAR, ShapeColor.RED, false, 2));

    private FewShotSamples() {}

    /** Renders the demo into {@code dir}. */
    public static void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        ShapesDataset renderer = ShapesDataset.builder().setSeed(0).optImageSize(TinyIdefics.IMAGE_SIZE).build();
        Random random = new Random(SEED);
        StringBuilder manifest = new StringBuilder();
        int index = 0;
        for (String role : List.of("before", "after")) {
            List<Object[]> set = role.equals("before") ? BEFORE : AFTER;
            for (int i = 0; i < set.size(); i++) {
                Look look = (Look) set.get(i)[0];
                String file = role + "-" + (i + 1) + ".png";
                Files.write(dir.resolve(file), ImageFormat.PNG.encode(renderer.render(look.scene(renderer, index++, random))));
                manifest.append(file).append('\t').append(role).append('\t').append(set.get(i)[1]).append('\t')
                        .append(look.describe()).append('\n');
            }
        }
        for (int i = 0; i < QUERIES.size(); i++) {
            Look look = QUERIES.get(i);
            String file = "query-" + (i + 1) + ".png";
            Files.write(dir.resolve(file), ImageFormat.PNG.encode(renderer.render(look.scene(renderer, index++, random))));
            manifest.append(file).append("\tquery\t\t").append(look.describe()).append('\n');
        }
        Files.writeString(dir.resolve(SampleImages.MANIFEST), manifest);
    }
}
