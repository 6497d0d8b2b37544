package io.vlmtagger.training;

import io.vlmtagger.models.runtime.EngineThreads;

/**
 * PyTorch thread settings for the training mains, applied before the engine starts: one intra-op
 * and one inter-op thread unless the command line sets {@value EngineThreads#NUM_THREADS} /
 * {@value EngineThreads#NUM_INTEROP_THREADS}. The tiny models' operations are far too small to gain
 * from splitting across cores (a step is bound by per-operation overhead), the second core renders
 * the next batch ({@link BatchPrefetcher}), and OpenMP workers that spin-wait for a busy core made
 * steps 20x slower on a shared 2-core machine (8.9 s instead of 0.45 s per step).
 */
public final class TrainingThreads {
    private TrainingThreads() {}

    public static void configure() {
        EngineThreads.configure(1, 1); // one model on one core: 1 intra-op, 1 inter-op thread
    }
}
