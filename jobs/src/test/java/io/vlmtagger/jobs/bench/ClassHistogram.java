package io.vlmtagger.jobs.bench;

import javax.management.JMException;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A class histogram of this JVM's live heap (the {@code GC.class_histogram} diagnostic command,
 * what {@code jcmd <pid> GC.class_histogram} prints; it runs a full GC first), and the classes that
 * grew most between two of them.
 */
final class ClassHistogram {
    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+).*$");

    /** Instances and bytes per class name. */
    record Entry(long instances, long bytes) {}

    /** One class's change between two histograms. */
    record Growth(String className, Entry before, Entry after) {
        long bytes() {
            return after.bytes - before.bytes;
        }
    }

    private final Map<String, Entry> entries;

    private ClassHistogram(Map<String, Entry> entries) {
        this.entries = entries;
    }

    /** The histogram as {@code jcmd} prints it (kept as text so that holding one does not show up in the next). */
    static String takeText() {
        try {
            return (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
        } catch (JMException e) {
            throw new IllegalStateException("GC.class_histogram failed: " + e, e);
        }
    }

    static ClassHistogram parse(String text) {
        Map<String, Entry> m = new HashMap<>();
        for (String line : text.split("\n")) {
            Matcher r = ROW.matcher(line);
            if (r.matches()) {
                m.merge(r.group(3), new Entry(Long.parseLong(r.group(1)), Long.parseLong(r.group(2))),
                        (a, b) -> new Entry(a.instances + b.instances, a.bytes + b.bytes));
            }
        }
        return new ClassHistogram(m);
    }

    long totalBytes() {
        return entries.values().stream().mapToLong(Entry::bytes).sum();
    }

    /** The {@code limit} classes whose bytes grew most from {@code this} to {@code later}, largest first. */
    List<Growth> topGrowers(ClassHistogram later, int limit) {
        Entry none = new Entry(0, 0);
        List<Growth> all = new ArrayList<>();
        later.entries.forEach((name, after) -> all.add(new Growth(name, entries.getOrDefault(name, none), after)));
        entries.forEach((name, before) -> {
            if (!later.entries.containsKey(name)) {
                all.add(new Growth(name, before, none));
            }
        });
        all.sort((a, b) -> Long.compare(b.bytes(), a.bytes()));
        return all.subList(0, Math.min(limit, all.size()));
    }
}
