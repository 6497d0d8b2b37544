package io.vlmtagger.jobs.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Samples this process's CPU time every 10 ms next to {@link System#nanoTime}, so that a rate can
 * also be stated per CPU-second: on a shared machine the wall clock includes waiting for a core,
 * CPU time is the work. {@link #cpuSecondsBetween} interpolates between samples.
 */
final class CpuClock implements AutoCloseable {
    private final List<long[]> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    CpuClock() {
        sample();
        thread = new Thread(() -> {
            while (running) {
                sample();
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-cpu");
        thread.setDaemon(true);
        thread.start();
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private void sample() {
        long[] s = {System.nanoTime(), processCpuNanos()};
        synchronized (samples) {
            samples.add(s);
        }
    }

    /** Process CPU seconds spent between two {@link System#nanoTime} instants. */
    double cpuSecondsBetween(long fromNanos, long toNanos) {
        sample();
        return (cpuAt(toNanos) - cpuAt(fromNanos)) / 1e9;
    }

    private double cpuAt(long t) {
        synchronized (samples) {
            long[] prev = samples.get(0);
            for (long[] s : samples) {
                if (s[0] >= t) {
                    if (s[0] == prev[0]) {
                        return s[1];
                    }
                    double f = (double) (t - prev[0]) / (s[0] - prev[0]);
                    return prev[1] + f * (s[1] - prev[1]);
                }
                prev = s;
            }
            return prev[1];
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(1000);
    }
}
