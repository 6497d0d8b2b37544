package io.vlmtagger.training.dataset;

import io.vlmtagger.checkpoints.SampleImages;
import io.vlmtagger.training.fewshot.FewShotSamples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes the sample images the local run sends ({@link SampleImages#SHAPES}): scenes {@code 0..}
 * of seed {@value #SEED} (no training or evaluation run uses it) as PNG files, plus the manifest
 * {@code file \t caption}; and the few-shot demo ({@link FewShotSamples}). From the repository root:
 *
 * <pre>
 * mvn -B -q -pl training exec:java -Dexec.mainClass=io.vlmtagger.training.dataset.WriteSamples [-Dexec.args="--out DIR"]
 * </pre>
 */
public final class WriteSamples {
    /** Seed of the shipped sample scenes. */
    public static final long SEED = 2026;
    /** How many ship. */
    public static final int COUNT = 24;

    private WriteSamples() {}

    public static void main(String[] args) throws IOException {
        Path shapes = args.length == 2 && args[0].equals("--out") ? Path.of(args[1]).resolve(SampleImages.SHAPES)
                : SampleImages.sourceDirectory(SampleImages.SHAPES);
        Path fewShot = shapes.resolveSibling(SampleImages.FEW_SHOT);
        write(shapes);
        FewShotSamples.write(fewShot);
        System.out.println("wrote " + COUNT + " sample scenes into " + shapes + " and the few-shot demo into " + fewShot);
    }

    /** Renders the sample set into {@code dir}. */
    public static void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        ShapesDataset data = ShapesDataset.builder().setSeed(SEED).build();
        StringBuilder manifest = new StringBuilder();
        for (int i = 0; i < COUNT; i++) {
            Scene scene = data.scene(i);
            String name = String.format(Locale.ROOT, "shapes-%03d.png", i);
            Files.write(dir.resolve(name), ImageFormat.PNG.encode(data.render(scene)));
            manifest.append(name).append('\t').append(scene.caption()).append('\n');
        }
        Files.writeString(dir.resolve(SampleImages.MANIFEST), manifest);
    }
}
