package io.vlmtagger.jobs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Samples this process's resident set size (Linux {@code /proc/self/statm}) and keeps the peak. */
final class RssSampler implements AutoCloseable {
    private static final long PAGE = 4096;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long peak;

    RssSampler() {
        peak = rssBytes();
        thread = new Thread(() -> {
            while (running) {
                peak = Math.max(peak, rssBytes());
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-rss");
        thread.setDaemon(true);
        thread.start();
    }

    /** Current RSS in bytes, or 0 where {@code /proc} is missing. */
    static long rssBytes() {
        try {
            String[] f = Files.readString(Path.of("/proc/self/statm")).trim().split("\\s+");
            return Long.parseLong(f[1]) * PAGE;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    long peakBytes() {
        return Math.max(peak, rssBytes());
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(1000);
    }
}
