package io.vlmtagger.training;

/** Linear warm-up to {@code peak}, then cosine decay to {@code peak * floor} at {@code total} steps. */
public record LearningRate(float peak, int warmup, int total, float floor) {

    public float at(int step) {
        if (step < warmup) {
            return peak * (step + 1) / warmup;
        }
        double progress = Math.min(1.0, (step - warmup) / (double) Math.max(1, total - warmup));
        double cosine = 0.5 * (1 + Math.cos(Math.PI * progress));
        return (float) (peak * (floor + (1 - floor) * cosine));
    }
}
