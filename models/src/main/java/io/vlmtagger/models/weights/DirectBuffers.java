package io.vlmtagger.models.weights;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;

/**
 * Frees a direct or mapped buffer now instead of at some later garbage collection ({@code
 * sun.misc.Unsafe.invokeCleaner}, from the {@code jdk.unsupported} module every JDK 9+ has). A
 * loader that reads gigabytes of weights through such buffers would otherwise hold them until the
 * collector notices (with a large heap: for a long time). Falls back to doing nothing.
 */
final class DirectBuffers {
    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;

    static {
        Object unsafe = null;
        Method clean = null;
        try {
            Class<?> c = Class.forName("sun.misc.Unsafe");
            Field f = c.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            unsafe = f.get(null);
            clean = c.getMethod("invokeCleaner", ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            unsafe = null;
            clean = null;
        }
        UNSAFE = unsafe;
        INVOKE_CLEANER = clean;
    }

    private DirectBuffers() {}

    /** Releases {@code buffer}'s memory (a mapping is unmapped); never use the buffer afterwards. */
    static void free(ByteBuffer buffer) {
        if (buffer == null || !buffer.isDirect() || INVOKE_CLEANER == null || buffer.capacity() == 0) {
            return;
        }
        try {
            INVOKE_CLEANER.invoke(UNSAFE, buffer);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // a slice or duplicate has no cleaner of its own: left to the garbage collector
        }
    }
}
