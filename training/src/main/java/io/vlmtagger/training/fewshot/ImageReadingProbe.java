package io.vlmtagger.training.fewshot;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.idefics.IdeficsTextModel;
import io.vlmtagger.models.nn.Linear;
import io.vlmtagger.training.CellProbe;
import io.vlmtagger.training.ParameterSet;
import io.vlmtagger.training.TrainBlocks;
import io.vlmtagger.training.fewshot.Look.Property;

/**
 * Auxiliary supervision of the first gated cross-attention block (deep supervision, as {@link
 * CellProbe} is for vision towers): linear heads read its output at each exemplar's label token and
 * at the query's {@code Tags:} colon, and predict the properties of the image that position
 * attends (kind, colour, size, count). The generator knows them, so the labels are free. Without
 * it the image reached the text positions too faintly for the model to learn, in a few hundred
 * steps, to match the query to an exemplar (held-out accuracy stayed at chance). The heads are
 * named {@code training_probe.*} and never written into the checkpoint.
 */
final class ImageReadingProbe implements IdeficsTextModel.Probe {
    private final Linear[] heads = new Linear[Property.values().length];
    private NDArray blockOutput;

    ImageReadingProbe(ParameterSet p, int hidden) {
        for (Property property : Property.values()) {
            heads[property.ordinal()] = TrainBlocks.linear(p, "training_probe.fewshot." + property.word() + ".",
                    property.domain(), hidden, true);
        }
    }

    @Override
    public void gatedBlockOutput(int block, NDArray output) {
        if (block == 0) {
            blockOutput = output;
        }
    }

    /** Mean cross-entropy of the heads at the batch's probe positions (after a forward with this probe). */
    NDArray loss(FewShotBatch batch, NDManager m) {
        Shape s = blockOutput.getShape();
        long[] positions = batch.probePositions();
        NDArray rows = blockOutput.reshape(s.get(0) * s.get(1), s.get(2)).get(m.create(positions)); // [P, H]
        float[] ones = new float[positions.length];
        java.util.Arrays.fill(ones, 1f);
        NDArray loss = null;
        for (Property property : Property.values()) {
            NDArray logits = heads[property.ordinal()].forward(rows).expandDims(0); // [1, P, values]
            NDArray l = TrainBlocks.crossEntropy(logits, batch.probeTargets()[property.ordinal()], ones);
            loss = loss == null ? l : loss.add(l);
        }
        blockOutput = null;
        return loss.div(Property.values().length);
    }
}
