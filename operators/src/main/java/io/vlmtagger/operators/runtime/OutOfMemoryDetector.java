package io.vlmtagger.operators.runtime;

import java.util.Locale;

/**
 * Recognises out-of-memory failures of a batch: a Java {@link OutOfMemoryError}, or a native one
 * surfaced by the engine (DJL wraps CUDA/CPU allocator failures in {@code ai.djl.engine.EngineException}
 * whose message says "out of memory"). Checked by message along the cause chain so that this
 * package does not depend on DJL.
 */
final class OutOfMemoryDetector {
    private OutOfMemoryDetector() {}

    static boolean isOutOfMemory(Throwable t) {
        int depth = 0;
        for (Throwable c = t; c != null && depth < 16; c = c.getCause(), depth++) {
            if (c instanceof OutOfMemoryError) {
                return true;
            }
            String msg = c.getMessage();
            if (msg != null) {
                String m = msg.toLowerCase(Locale.ROOT);
                if (m.contains("out of memory") || m.contains("outofmemory") || m.contains("failed to allocate")) {
                    return true;
                }
            }
        }
        return false;
    }
}
