package io.vlmtagger.models.testutil;

import ai.djl.ndarray.NDManager;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Structure;
import java.util.List;

/**
 * Leak checks for native memory: live NDArrays in the engine, bytes that glibc's malloc has handed
 * out and not got back.
 *
 * <p>{@link #mallocInUseKb()} is the signal a leak moves and allocator pools do not: memory that
 * was freed but kept by malloc for reuse (arena growth, a raised mmap threshold, per-thread
 * caches) counts in RSS but not as in use; memory allocated and never freed does.
 */
public final class NativeMemoryProbe {
    private NativeMemoryProbe() {}

    /** Every NDArray alive in the engine: the system manager holds all base managers. */
    public static int liveArrays() {
        try (NDManager probe = NDManager.newBaseManager()) {
            return probe.getParentManager().getManagedArrays().size();
        }
    }

    /**
     * Bytes malloc has handed out and not got back, over all arenas (glibc's {@code mallinfo2}:
     * {@code uordblks + hblkhd}), in kB; free memory malloc keeps for reuse is not counted.
     * Runs a GC first so that Java objects owning native memory have been cleaned.
     */
    public static long mallocInUseKb() {
        System.gc();
        MallInfo2 info = LibC.INSTANCE.mallinfo2();
        return (info.uordblks.longValue() + info.hblkhd.longValue()) / 1024;
    }

    /** glibc's {@code struct mallinfo2} (2.33+): ten {@code size_t} counters. */
    public static class MallInfo2 extends Structure implements Structure.ByValue {
        public NativeLong arena;
        public NativeLong ordblks;
        public NativeLong smblks;
        public NativeLong hblks;
        public NativeLong hblkhd;
        public NativeLong usmblks;
        public NativeLong fsmblks;
        public NativeLong uordblks;
        public NativeLong fordblks;
        public NativeLong keepcost;

        @Override
        protected List<String> getFieldOrder() {
            return List.of("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
                    "fordblks", "keepcost");
        }
    }

    /** The C library's malloc statistics (and malloc, for tests that inject a leak). */
    public interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        MallInfo2 mallinfo2();

        com.sun.jna.Pointer malloc(long size);
    }
}
