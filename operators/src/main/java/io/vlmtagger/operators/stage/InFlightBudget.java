package io.vlmtagger.operators.stage;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds what one operator instance holds in flight: a number of requests and their bytes (the
 * encoded images they carry, in the heap and in the checkpointed state). {@link #admit} runs on
 * the task thread before a request is accepted and, while the budget is used up, yields to the
 * task's mailbox, as Flink's AsyncWaitOperator does when its queue is full: the mails it runs are
 * the completions of requests in flight, which emit their results and give their bytes back, and
 * checkpoints go on meanwhile. Blocking the task thread instead would deadlock, because those
 * completions can only be emitted by the task thread. Waiting is backpressure on the inputs, never
 * a failure; a request larger than the whole budget is admitted alone.
 *
 * <p>{@link #release} may run on any thread, but must run before the mail that reports the
 * completion is queued: a yielding task thread wakes on that mail and must find the bytes back.
 */
@Internal
public final class InFlightBudget {
    private final int maxRequests;
    private final long maxBytes;
    private final MailboxExecutor mailbox;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong peakBytes = new AtomicLong();

    /**
     * @param maxRequests requests at once ({@link Integer#MAX_VALUE}: bytes only)
     * @param maxBytes bytes at once
     */
    public InFlightBudget(int maxRequests, long maxBytes, MailboxExecutor mailbox) {
        if (maxRequests < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("an in-flight budget needs at least 1 request and 1 byte, got "
                    + maxRequests + " and " + maxBytes);
        }
        this.maxRequests = maxRequests;
        this.maxBytes = maxBytes;
        this.mailbox = mailbox;
    }

    /** Task thread: waits (running mails) until a request of {@code size} bytes fits, then holds it. */
    public void admit(long size) throws InterruptedException {
        while (!fits(size)) {
            mailbox.yield();
        }
        requests.incrementAndGet();
        peakBytes.accumulateAndGet(bytes.addAndGet(size), Math::max);
    }

    private boolean fits(long size) {
        int n = requests.get();
        return n == 0 || (n < maxRequests && bytes.get() + size <= maxBytes);
    }

    /** A request of {@code size} bytes is done (any thread). */
    public void release(long size) {
        bytes.addAndGet(-size);
        requests.decrementAndGet();
    }

    /** Gauges {@code in_flight_bytes} (now) and {@code in_flight_bytes_peak} (the most so far) on {@code group}. */
    public void registerGauges(MetricGroup group) {
        group.gauge("in_flight_bytes", (Gauge<Long>) bytes::get);
        group.gauge("in_flight_bytes_peak", (Gauge<Long>) peakBytes::get);
    }
}
