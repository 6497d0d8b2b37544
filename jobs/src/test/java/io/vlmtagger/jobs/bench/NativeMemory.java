package io.vlmtagger.jobs.bench;

import com.sun.management.HotSpotDiagnosticMXBean;

import javax.management.JMException;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * HotSpot Native Memory Tracking through the {@code VM.native_memory} diagnostic command (what
 * {@code jcmd <pid> VM.native_memory baseline | summary.diff} does), available when the JVM runs
 * with {@code -XX:NativeMemoryTracking=summary}: committed native memory per category (heap,
 * class, thread, code, GC, internal, other = direct buffers, ...) and its change since a baseline.
 */
final class NativeMemory {
    private NativeMemory() {}

    static boolean enabled() {
        HotSpotDiagnosticMXBean hs = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        return !"off".equals(hs.getVMOption("NativeMemoryTracking").getValue());
    }

    static void baseline() {
        run("baseline");
    }

    /** The summary diff against the baseline. */
    static String summaryDiff() {
        return run("summary.diff");
    }

    /** The category lines of a summary diff ("- Class (reserved=..., committed=...KB +...KB)") and the total. */
    static String categories(String summaryDiff) {
        return Arrays.stream(summaryDiff.split("\n"))
                .filter(l -> l.startsWith("Total:") || l.matches("^-\\s+\\S.*\\(reserved=.*"))
                .collect(Collectors.joining("\n"));
    }

    private static String run(String command) {
        try {
            return (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                    new Object[] {new String[] {command}}, new String[] {String[].class.getName()});
        } catch (JMException e) {
            throw new IllegalStateException("VM.native_memory " + command + " failed: " + e, e);
        }
    }
}
