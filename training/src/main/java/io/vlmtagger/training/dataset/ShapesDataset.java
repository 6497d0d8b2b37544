package io.vlmtagger.training.dataset;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Deterministic generator of simple scenes: scene {@code i} of seed {@code s} is always the same
 * (objects, background, noise), whatever else was generated before. Different seeds give
 * independent sets (training uses one seed, held-out evaluation another).
 *
 * <p>Layout: the image is a 3 x 3 grid of cells; each shape sits in its own column, in a random
 * row, jittered around the cell's centre by up to 4% of the cell, so "left to right" is
 * unambiguous. Large shapes fill 82-90% of their cell, small ones 54-60%. Shape kinds and colours
 * are distinct within a scene, so that questions about "the square" or "the red one" have one
 * answer. With the default 96 x 96 images a cell is 32 pixels: the tiny checkpoints use 32-pixel
 * patches, one per cell.
 *
 * <pre>{@code
 * ShapesDataset data = ShapesDataset.builder().setSeed(7).optImageSize(96).build();
 * Scene scene = data.scene(0);
 * BufferedImage image = data.render(scene);
 * String caption = scene.caption();            // "a large red circle and a small blue square"
 * }</pre>
 */
public final class ShapesDataset {
    public static final int COLUMNS = 3;
    public static final int ROWS = 3;
    /** The size the tiny checkpoints were trained on. */
    public static final int DEFAULT_IMAGE_SIZE = 96;

    private final long seed;
    private final int imageSize;
    private final int maxObjects;

    private ShapesDataset(long seed, int imageSize, int maxObjects) {
        this.seed = seed;
        this.imageSize = imageSize;
        this.maxObjects = maxObjects;
    }

    public static Builder builder() {
        return new Builder();
    }

    public long seed() {
        return seed;
    }

    public int imageSize() {
        return imageSize;
    }

    /** A generator for the scene at {@code index} (also for the questions asked about it). */
    public Random random(int index) {
        return random(seed, index);
    }

    /**
     * A generator for item {@code index} of the data set drawn with {@code seed}: a SplitMix64
     * mix of the two, so that neighbouring indices and seeds give unrelated streams.
     */
    public static Random random(long seed, int index) {
        long x = seed * 0x9E3779B97F4A7C15L + index * 0xC2B2AE3D27D4EB4FL + 0x165667B19E3779F9L;
        x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        return new Random(x ^ (x >>> 31));
    }

    /** Scene {@code index} of this dataset. */
    public Scene scene(int index) {
        Random r = random(index);
        int count = 1 + r.nextInt(maxObjects);
        List<Integer> columns = new ArrayList<>(List.of(0, 1, 2));
        Collections.shuffle(columns, r);
        List<Integer> used = new ArrayList<>(columns.subList(0, count));
        Collections.sort(used);
        List<ShapeKind> kinds = new ArrayList<>(Arrays.asList(ShapeKind.values()));
        Collections.shuffle(kinds, r);
        List<ShapeColor> colors = new ArrayList<>(Arrays.asList(ShapeColor.values()));
        Collections.shuffle(colors, r);
        return compose(index, used, kinds.subList(0, count), colors.subList(0, count), r::nextBoolean, r);
    }

    /**
     * A scene of the given shapes, shape {@code i} in column {@code columns.get(i)} (distinct), of
     * kind {@code kinds.get(i)} and colour {@code colors.get(i)}, its size class from {@code large};
     * row, jitter, radius, background and noise drawn from {@code r} as {@link #scene(int)} does.
     */
    public Scene compose(int index, List<Integer> columns, List<ShapeKind> kinds, List<ShapeColor> colors,
            java.util.function.BooleanSupplier large, Random r) {
        double cell = imageSize / (double) COLUMNS;
        double jitter = 0.04 * cell;
        int count = columns.size();
        List<SceneObject> objects = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            boolean isLarge = large.getAsBoolean();
            double radius = cell * (isLarge ? 0.41 + 0.04 * r.nextDouble() : 0.27 + 0.03 * r.nextDouble());
            int column = columns.get(i);
            int row = r.nextInt(ROWS);
            double cx = (column + 0.5) * cell + (2 * r.nextDouble() - 1) * jitter;
            double cy = (row + 0.5) * cell + (2 * r.nextDouble() - 1) * jitter;
            objects.add(new SceneObject(kinds.get(i), colors.get(i), isLarge, column, row, cx, cy, radius));
        }
        int top = background(r);
        int bottom = background(r);
        double sigma = 2 + 8 * r.nextDouble();
        return new Scene(index, objects, top, bottom, sigma, r.nextLong());
    }

    /** The first {@code count} scenes. */
    public List<Scene> scenes(int count) {
        List<Scene> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(scene(i));
        }
        return out;
    }

    /** Renders {@code scene} as an {@code imageSize x imageSize} RGB image. */
    public BufferedImage render(Scene scene) {
        BufferedImage image = new BufferedImage(imageSize, imageSize, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.setPaint(new GradientPaint(0, 0, new Color(scene.backgroundTop()), 0, imageSize,
                    new Color(scene.backgroundBottom())));
            g.fillRect(0, 0, imageSize, imageSize);
            for (SceneObject o : scene.objects()) {
                g.setColor(new Color(o.color().rgb()));
                g.fill(o.kind().outline(o.cx(), o.cy(), o.radius()));
            }
        } finally {
            g.dispose();
        }
        Random noise = new Random(scene.seed());
        int[] pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData(); // row-major 0xRRGGBB
        double sigma = scene.noiseSigma();
        for (int i = 0; i < pixels.length; i++) {
            int rgb = pixels[i];
            int red = clamp(((rgb >> 16) & 0xFF) + noise.nextGaussian() * sigma);
            int green = clamp(((rgb >> 8) & 0xFF) + noise.nextGaussian() * sigma);
            int blue = clamp((rgb & 0xFF) + noise.nextGaussian() * sigma);
            pixels[i] = (red << 16) | (green << 8) | blue;
        }
        return image;
    }

    /** A muted background colour: any hue, low saturation, dark to mid brightness. */
    private static int background(Random r) {
        return Color.HSBtoRGB(r.nextFloat(), 0.35f * r.nextFloat(), 0.12f + 0.43f * r.nextFloat()) & 0xFFFFFF;
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    /** Builder: {@code setSeed} is required. */
    public static final class Builder {
        private Long seed;
        private int imageSize = DEFAULT_IMAGE_SIZE;
        private int maxObjects = 3;

        private Builder() {}

        /** Seed of the whole set; scene {@code i} depends only on it and {@code i}. */
        public Builder setSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Width and height in pixels (default 96: 32-pixel cells). */
        public Builder optImageSize(int imageSize) {
            this.imageSize = imageSize;
            return this;
        }

        /** Most shapes per scene, 1 to 3 (default 3). */
        public Builder optMaxObjects(int maxObjects) {
            this.maxObjects = maxObjects;
            return this;
        }

        public ShapesDataset build() {
            if (seed == null) {
                throw new IllegalStateException("ShapesDataset needs setSeed(long): the same seed reproduces the same set");
            }
            if (imageSize < 48) {
                throw new IllegalStateException("optImageSize must be >= 48 pixels (16 per grid cell), got " + imageSize);
            }
            if (maxObjects < 1 || maxObjects > COLUMNS) {
                throw new IllegalStateException("optMaxObjects must be 1 to " + COLUMNS + ", got " + maxObjects);
            }
            return new ShapesDataset(seed, imageSize, maxObjects);
        }
    }
}
