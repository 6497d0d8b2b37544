package io.vlmtagger.models.testutil;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** Cheap leak checks for native memory: live NDArrays in the engine, and RSS less the JVM's own memory. */
public final class NativeMemoryProbe {
    private NativeMemoryProbe() {}

    /** Every NDArray alive in the engine: the system manager holds all base managers. */
    public static int liveArrays() {
        try (NDManager probe = NDManager.newBaseManager()) {
            return probe.getParentManager().getManagedArrays().size();
        }
    }

    /**
     * Process RSS less what the JVM itself has committed (heap and non-heap), in kB: the Java heap
     * grows under allocation pressure without any leak, which plain RSS would count.
     */
    public static long nativeKb() throws IOException {
        System.gc();
        var memory = ManagementFactory.getMemoryMXBean();
        long jvmCommitted = memory.getHeapMemoryUsage().getCommitted() + memory.getNonHeapMemoryUsage().getCommitted();
        return rssKb() - jvmCommitted / 1024;
    }

    private static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
