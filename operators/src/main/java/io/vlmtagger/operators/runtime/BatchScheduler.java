package io.vlmtagger.operators.runtime;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Time source and timer for {@link MicroBatcher}: the batch-wait deadline and per-request
 * timeouts. Injected so that tests drive time by hand ({@code ManualBatchScheduler} in the test
 * utilities); production uses {@link #system(String)}.
 */
public interface BatchScheduler extends AutoCloseable {

    /** Monotonic time in nanoseconds (like {@link System#nanoTime()}). */
    long nanoTime();

    /** Runs {@code task} once, {@code delayNanos} from now, on some thread other than the caller's. */
    Cancellable schedule(Runnable task, long delayNanos);

    @Override
    void close();

    /**
     * Fails {@code future} with a {@link TimeoutException} naming {@code what} unless it completes
     * within {@code timeout} (null, zero or negative: no limit); the timer goes when it completes.
     */
    default void failAfter(CompletableFuture<?> future, Duration timeout, String what) {
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            return;
        }
        Cancellable timer = schedule(() -> future.completeExceptionally(
                new TimeoutException("no result from " + what + " within " + timeout.toMillis() + " ms")),
                timeout.toNanos());
        future.whenComplete((r, e) -> timer.cancel());
    }

    /** A scheduled task that may be cancelled; cancelling a task that already ran is a no-op. */
    interface Cancellable {
        void cancel();
    }

    /** Wall-clock scheduler backed by one daemon thread named {@code threadName}. */
    static BatchScheduler system(String threadName) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, DaemonThreads.named(threadName));
        executor.setRemoveOnCancelPolicy(true);
        return new SystemScheduler(executor);
    }

    /** {@link #system(String)}'s implementation. */
    final class SystemScheduler implements BatchScheduler {
        private final ScheduledExecutorService executor;

        private SystemScheduler(ScheduledExecutorService executor) {
            this.executor = executor;
        }

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Cancellable schedule(Runnable task, long delayNanos) {
            ScheduledFuture<?> f = executor.schedule(task, Math.max(0L, delayNanos), TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        }

        @Override
        public void close() {
            executor.shutdownNow();
        }
    }
}
