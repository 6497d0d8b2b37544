package io.vlmtagger.models.api;

import io.vlmtagger.models.runtime.EngineThreads;
import io.vlmtagger.models.runtime.SharedModelRegistry;
import java.util.function.Supplier;

/**
 * What the process that hosts the models offers its callers besides the model interfaces: the
 * inference engine's thread split, and objects shared per JVM next to the loaded models. The
 * operators reach the models module only through this package; this class is their door to the
 * per-JVM state that {@code runtime.SharedModelRegistry} owns (one static owner for the weights and
 * for whatever the callers keep per device, e.g. their device gates).
 */
public final class ModelHost {
    private ModelHost() {}

    /** The engine's thread settings after {@link #configureEngineThreads}. */
    public record ThreadSplit(int intraOpThreads, int interOpThreads, boolean changed) {}

    /**
     * Splits {@code cores} between {@code concurrentModels} models running at once (intra-op
     * threads = cores / models, at least 1; inter-op 1), before the engine starts; values set
     * explicitly ({@code -Dai.djl.pytorch.num_threads=...}) win and later calls change nothing.
     */
    public static ThreadSplit configureEngineThreads(int concurrentModels, int cores) {
        EngineThreads.Settings s = EngineThreads.configure(concurrentModels, cores);
        return new ThreadSplit(s.intraOpThreads(), s.interOpThreads(), s.changed());
    }

    /**
     * The per-JVM object under {@code key}, created by {@code factory} on first use and kept as long
     * as the JVM (the class loader of the models module) lives; see {@link SharedModelRegistry#shared}.
     */
    public static <T> T shared(String key, Class<T> type, Supplier<T> factory) {
        return SharedModelRegistry.global().shared(key, type, factory);
    }
}
