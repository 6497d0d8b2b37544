package io.vlmtagger.operators.search.opensearch;

import java.io.Serializable;
import java.time.Duration;

/**
 * Exponential backoff between retries of a bulk request or of failed items: {@code initial * 2^n},
 * capped at {@code max}. No jitter: each subtask has its own in-flight window already.
 */
public final class RetryBackoff implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long initialMs;
    private final long maxMs;

    public RetryBackoff(Duration initial, Duration max) {
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("The initial retry backoff must be positive, got " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException(
                    "The maximum retry backoff (" + max + ") must be at least the initial one (" + initial + ")");
        }
        this.initialMs = initial.toMillis();
        this.maxMs = max.toMillis();
    }

    /** Delay before the next try of something already tried {@code attempts} times (>= 1). */
    public long delayMs(int attempts) {
        int exponent = Math.max(0, Math.min(attempts - 1, 30));
        long delay = initialMs << exponent;
        return delay <= 0 || delay > maxMs ? maxMs : delay;
    }

    @Override
    public String toString() {
        return "RetryBackoff[" + initialMs + " ms .. " + maxMs + " ms]";
    }
}
