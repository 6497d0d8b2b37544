package io.vlmtagger.training;

import java.util.List;

/**
 * What a training run did: the loss of every step, wall time, parameter count and where the
 * checkpoint was written.
 */
public record TrainingRun(List<Float> losses, double seconds, long parameters, java.nio.file.Path checkpoint) {

    public TrainingRun {
        losses = List.copyOf(losses);
    }

    /** Mean loss over steps {@code [from, to)}. */
    public double meanLoss(int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += losses.get(i);
        }
        return sum / Math.max(1, to - from);
    }
}
