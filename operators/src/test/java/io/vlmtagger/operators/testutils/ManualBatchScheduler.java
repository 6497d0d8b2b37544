package io.vlmtagger.operators.testutils;

import io.vlmtagger.operators.runtime.BatchScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A {@link BatchScheduler} whose time only moves when the test calls {@link #advance}; due tasks
 * then run on the test's thread, in deadline order.
 */
public final class ManualBatchScheduler implements BatchScheduler {
    private final List<Task> tasks = new ArrayList<>();
    private long now;
    private long seq;

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized Cancellable schedule(Runnable task, long delayNanos) {
        Task t = new Task(now + Math.max(0, delayNanos), seq++, task);
        tasks.add(t);
        return () -> {
            synchronized (ManualBatchScheduler.this) {
                tasks.remove(t);
            }
        };
    }

    /** Moves time forward and runs every task that became due. */
    public void advance(Duration d) {
        long target;
        synchronized (this) {
            target = now + d.toNanos();
        }
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.stream()
                        .filter(t -> t.due <= target)
                        .min(Comparator.comparingLong((Task t) -> t.due).thenComparingLong(t -> t.seq))
                        .orElse(null);
                if (next == null) {
                    now = target;
                    return;
                }
                tasks.remove(next);
                now = Math.max(now, next.due);
            }
            next.runnable.run();
        }
    }

    public synchronized int pendingTasks() {
        return tasks.size();
    }

    @Override
    public void close() {}

    private record Task(long due, long seq, Runnable runnable) {}
}
