package io.vlmtagger.training;

import ai.djl.ndarray.NDArray;
import io.vlmtagger.training.dataset.Scene;
import io.vlmtagger.training.dataset.SceneObject;
import io.vlmtagger.training.dataset.ShapeColor;
import io.vlmtagger.training.dataset.ShapeKind;
import io.vlmtagger.training.dataset.ShapesDataset;
import io.vlmtagger.models.nn.Linear;
import java.util.List;

/**
 * Auxiliary supervision of the vision tower during training (deep supervision): linear heads read
 * each patch token and predict what the scene holds under that patch (its shape kind, colour and
 * size class, or "empty") and which column of the scene grid the patch lies in; their mean
 * cross-entropy is added to the language loss. The column head keeps "where" in the tokens next to
 * "what": captions name the shapes left to right, and without it the captioner named the right
 * shapes in the wrong order. The generator
 * knows every scene's layout, so the labels are free; without them the only signal reaching the
 * patch embedding is the language loss several layers up, and a randomly initialised ViT took
 * thousands of steps to tell a circle from a square.
 *
 * <p>The heads' parameters are named {@value #PREFIX}... and are never written into a checkpoint
 * ({@link CheckpointWriter#writeWeights} leaves them out): the shipped files hold only the
 * architecture's own parameters.
 */
public final class CellProbe {
    static final String PREFIX = "training_probe.";
    private final Linear shape;
    private final Linear color;
    private final Linear size;
    private final Linear column;
    private final int imageSize;
    private final int patchSize;
    private final float weight;

    private CellProbe(ParameterSet p, TinyConfigs.Sizes sizes, float weight) {
        this(p, sizes.hidden(), sizes.imageSize(), sizes.patchSize(), weight);
    }

    /** Heads over {@code hidden}-wide patch tokens of {@code imageSize} scenes cut into {@code patchSize} patches. */
    public CellProbe(ParameterSet p, int hidden, int imageSize, int patchSize, float weight) {
        this.shape = TrainBlocks.linear(p, PREFIX + "shape.", ShapeKind.values().length + 1, hidden, true);
        this.color = TrainBlocks.linear(p, PREFIX + "color.", ShapeColor.values().length + 1, hidden, true);
        this.size = TrainBlocks.linear(p, PREFIX + "size.", 3, hidden, true);
        this.column = TrainBlocks.linear(p, PREFIX + "column.", ShapesDataset.COLUMNS, hidden, true);
        this.imageSize = imageSize;
        this.patchSize = patchSize;
        this.weight = weight;
    }

    /** The probe of a run ({@code options.probeWeight()} > 0), its heads in {@code params}; null when off. */
    static CellProbe of(ParameterSet params, TrainOptions options) {
        return options.probeWeight() > 0 ? new CellProbe(params, options.sizes(), options.probeWeight()) : null;
    }

    /** {@code loss} plus the weighted probe loss over {@code patches [B, N, D]} (no class token); {@code loss} when off. */
    public static NDArray addTo(CellProbe probe, NDArray loss, NDArray patches, List<Scene> scenes) {
        return probe == null ? loss : loss.add(probe.loss(patches, scenes).mul(probe.weight));
    }

    /** Mean cross-entropy of the heads over {@code patches [B, N, D]} (no class token), row-major patches. */
    NDArray loss(NDArray patches, List<Scene> scenes) {
        int grid = imageSize / patchSize;
        int b = scenes.size();
        int n = grid * grid;
        if (patches.getShape().get(1) != n) {
            throw new IllegalArgumentException("the probe expects " + n + " patch tokens, got " + patches.getShape());
        }
        long[] shapes = new long[b * n];
        long[] colors = new long[b * n];
        long[] sizes = new long[b * n];
        long[] columns = new long[b * n];
        double cell = imageSize / (double) ShapesDataset.COLUMNS;
        for (int r = 0; r < b; r++) {
            SceneObject[] byCell = new SceneObject[ShapesDataset.COLUMNS * ShapesDataset.ROWS];
            for (SceneObject o : scenes.get(r).objects()) {
                byCell[o.row() * ShapesDataset.COLUMNS + o.column()] = o;
            }
            for (int i = 0; i < n; i++) {
                // a patch belongs to the grid cell its centre lies in; 0 = empty
                int col = (int) ((i % grid + 0.5) * patchSize / cell);
                int row = (int) ((i / grid + 0.5) * patchSize / cell);
                SceneObject o = byCell[row * ShapesDataset.COLUMNS + col];
                int at = r * n + i;
                columns[at] = col;
                if (o != null) {
                    shapes[at] = o.kind().ordinal() + 1;
                    colors[at] = o.color().ordinal() + 1;
                    sizes[at] = o.large() ? 2 : 1;
                }
            }
        }
        float[] ones = new float[b * n];
        java.util.Arrays.fill(ones, 1f);
        return TrainBlocks.crossEntropy(shape.forward(patches), shapes, ones)
                .add(TrainBlocks.crossEntropy(color.forward(patches), colors, ones))
                .add(TrainBlocks.crossEntropy(size.forward(patches), sizes, ones))
                .add(TrainBlocks.crossEntropy(column.forward(patches), columns, ones))
                .div(4);
    }

    public static boolean isProbeParameter(String key) {
        return key.startsWith(PREFIX);
    }
}
