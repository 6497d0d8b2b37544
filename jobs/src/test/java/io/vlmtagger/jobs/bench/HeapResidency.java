package io.vlmtagger.jobs.bench;

import javax.management.JMException;
import javax.management.ObjectName;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How much of this JVM's Java heap is resident: the {@code Rss} of the {@code /proc/self/smaps}
 * mappings inside the heap's reserved address range (from the {@code GC.heap_info} diagnostic
 * command: the lowest and highest address it prints, "[0x..., 0x...)" for G1, the young and old
 * generations' "[low, committed, high)" for the parallel and serial collectors). Separates RSS growth from heap pages touched for the first time
 * (bounded by the committed heap) from native growth outside the heap.
 */
final class HeapResidency {
    private static final Pattern ADDRESS = Pattern.compile("0x([0-9a-f]+)");
    private static final Pattern MAPPING = Pattern.compile("^([0-9a-f]+)-([0-9a-f]+) .*");

    private final long low;
    private final long high;

    HeapResidency(long low, long high) {
        this.low = low;
        this.high = high;
    }

    /** The heap's address range; fails where the JVM does not print one (then this probe does not apply). */
    static HeapResidency locate() {
        try {
            String info = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcHeapInfo",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            return fromHeapInfo(info);
        } catch (JMException e) {
            throw new IllegalStateException("GC.heap_info failed: " + e, e);
        }
    }

    static HeapResidency fromHeapInfo(String heapInfo) {
        long low = -1;
        long high = 0;
        Matcher m = ADDRESS.matcher(heapInfo);
        while (m.find()) {
            long a = Long.parseUnsignedLong(m.group(1), 16);
            low = low < 0 ? a : Math.min(low, a);
            high = Math.max(high, a);
        }
        if (low < 0 || high <= low) {
            throw new IllegalStateException("GC.heap_info names no address range: " + heapInfo);
        }
        return new HeapResidency(low, high);
    }

    /** Size of the heap's reserved address range in KiB. */
    long reservedKb() {
        return (high - low) >> 10;
    }

    /** Resident KiB of the heap's mappings, or -1 where {@code /proc/self/smaps} cannot be read. */
    long residentKb() {
        return residentKb(Path.of("/proc/self/smaps"));
    }

    long residentKb(Path smaps) {
        long kb = 0;
        boolean inHeap = false;
        try (BufferedReader r = Files.newBufferedReader(smaps)) {
            String line;
            while ((line = r.readLine()) != null) {
                Matcher m = MAPPING.matcher(line);
                if (m.matches()) {
                    long start = Long.parseUnsignedLong(m.group(1), 16);
                    long end = Long.parseUnsignedLong(m.group(2), 16);
                    inHeap = start >= low && end <= high;
                } else if (inHeap && line.startsWith("Rss:")) {
                    kb += Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return kb;
    }
}
