package io.vlmtagger.models.runtime;

import java.util.Objects;

/**
 * PyTorch thread settings for a JVM that hosts several models: intra-op threads = cores / models
 * (at least 1) so that concurrent models do not oversubscribe the CPU, inter-op threads = 1 (our
 * graphs are sequential). DJL reads {@code ai.djl.pytorch.num_threads} and {@code
 * ai.djl.pytorch.num_interop_threads} once, when the PyTorch engine initialises: call {@link
 * #configure} before the first {@code Engine.getInstance()} / model load. Values already set
 * (e.g. {@code -Dai.djl.pytorch.num_threads=8}) are left alone: an operator's explicit choice wins.
 */
public final class EngineThreads {
    public static final String NUM_THREADS = "ai.djl.pytorch.num_threads";
    public static final String NUM_INTEROP_THREADS = "ai.djl.pytorch.num_interop_threads";

    /** What ended up configured. */
    public record Settings(int intraOpThreads, int interOpThreads, boolean changed) {}

    private EngineThreads() {}

    /** Configures for {@code modelsPerJvm} concurrent models on this machine's cores. */
    public static Settings configure(int modelsPerJvm) {
        return configure(modelsPerJvm, Runtime.getRuntime().availableProcessors());
    }

    /** Configures for {@code modelsPerJvm} concurrent models on {@code cores} cores. */
    public static synchronized Settings configure(int modelsPerJvm, int cores) {
        if (modelsPerJvm <= 0 || cores <= 0) {
            throw new IllegalArgumentException("modelsPerJvm and cores must be positive, got " + modelsPerJvm
                    + " and " + cores);
        }
        int intra = Math.max(1, cores / modelsPerJvm);
        boolean changed = setIfAbsent(NUM_THREADS, intra);
        changed |= setIfAbsent(NUM_INTEROP_THREADS, 1);
        return new Settings(Integer.parseInt(System.getProperty(NUM_THREADS).strip()),
                Integer.parseInt(System.getProperty(NUM_INTEROP_THREADS).strip()), changed);
    }

    private static boolean setIfAbsent(String key, int value) {
        String current = System.getProperty(key);
        if (current != null && !current.isBlank()) {
            try {
                Integer.parseInt(current.strip());
                return false;
            } catch (NumberFormatException e) {
                throw new IllegalStateException("system property " + key + "=" + current + " is not an integer");
            }
        }
        System.setProperty(key, Objects.toString(value));
        return true;
    }
}
