package io.vlmtagger.jobs.bench;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * This JVM's memory at one instant, all in bytes. {@link #take()} first runs {@code System.gc()},
 * which on HotSpot (G1, the default here) is a full stop-the-world collection of every generation
 * unless {@code -XX:+ExplicitGCInvokesConcurrent} or {@code -XX:+DisableExplicitGC} is set (refused
 * below), so {@code heapAfterGc} is the live heap: what the process holds on to, not garbage
 * waiting for the next collection.
 *
 * @param heapAfterGc heap used right after the full GC
 * @param heapCommitted heap the JVM has committed (reserved from the OS) after that GC
 * @param heapResidentKb KiB of the heap's address range that are resident (part of the RSS; see {@link HeapResidency})
 * @param nonHeap     non-heap used (metaspace, compressed class space, code cache)
 * @param metaspace   the {@code Metaspace} pool's used bytes (classes loaded)
 * @param direct      NIO direct buffers ({@code BufferPoolMXBean} "direct")
 * @param mapped      NIO mapped buffers ({@code BufferPoolMXBean} "mapped": e.g. Lucene's mmap'd files)
 * @param threads     live threads
 * @param process     the process's resident memory
 */
record MemorySample(long heapAfterGc, long heapCommitted, long heapResidentKb, long nonHeap, long metaspace, long direct, long mapped, int threads, ProcStatus process) {

    private static final HeapResidency HEAP = HeapResidency.locate();

    static MemorySample take() {
        requireFullExplicitGc();
        System.gc();
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long metaspace = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getName().equals("Metaspace"))
                .mapToLong(p -> p.getUsage().getUsed()).sum();
        return new MemorySample(mem.getHeapMemoryUsage().getUsed(), mem.getHeapMemoryUsage().getCommitted(), HEAP.residentKb(),
                mem.getNonHeapMemoryUsage().getUsed(), metaspace,
                bufferPool("direct"), bufferPool("mapped"), ManagementFactory.getThreadMXBean().getThreadCount(),
                ProcStatus.self());
    }

    private static long bufferPool(String name) {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals(name)).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
    }

    private static void requireFullExplicitGc() {
        HotSpotDiagnosticMXBean hs = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        for (String flag : new String[] {"DisableExplicitGC", "ExplicitGCInvokesConcurrent"}) {
            if (Boolean.parseBoolean(hs.getVMOption(flag).getValue())) {
                throw new IllegalStateException("-XX:+" + flag + " is set: System.gc() is then no full GC and the"
                        + " heap after GC cannot be measured; run without it");
            }
        }
    }
}
