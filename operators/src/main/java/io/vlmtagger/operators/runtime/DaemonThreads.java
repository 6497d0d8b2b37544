package io.vlmtagger.operators.runtime;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread factories for the operators' helper pools: daemon threads (they never keep a
 * TaskManager's JVM alive) with names that say whose they are in a thread dump.
 */
public final class DaemonThreads {
    private DaemonThreads() {}

    /** Threads named {@code prefix1}, {@code prefix2}, ... */
    public static ThreadFactory numbered(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> daemon(r, prefix + n.incrementAndGet());
    }

    /** Threads all named {@code name} (for a single-thread pool). */
    public static ThreadFactory named(String name) {
        return r -> daemon(r, name);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
