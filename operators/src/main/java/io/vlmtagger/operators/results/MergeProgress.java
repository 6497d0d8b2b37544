package io.vlmtagger.operators.results;

import java.util.Arrays;

/**
 * Keyed state of one event in the {@link ResultMergeFunction}: how many times it was expected (a
 * producer may send an event id twice), the parts expected, the parts resolved so far (a
 * multiset: one entry per result or failure) and the pending timeout timer. A Flink POJO.
 */
public class MergeProgress {
    public int expectations;
    public String[] expected = new String[0];
    public String[] resolved = new String[0];
    public long timerAt = Long.MIN_VALUE;

    public MergeProgress() {}

    void expect(String[] parts) {
        expectations++;
        expected = parts.clone();
    }

    void resolve(String part) {
        resolved = Arrays.copyOf(resolved, resolved.length + 1);
        resolved[resolved.length - 1] = part;
    }

    /** Every expected part has a result or a failure for every time the event was expected. */
    boolean complete() {
        if (expectations == 0) {
            return false;
        }
        for (String part : expected) {
            if (Arrays.stream(resolved).filter(part::equals).count() < expectations) {
                return false;
            }
        }
        return true;
    }

    /** The expected parts without a result or failure yet (for the timeout message). */
    String missing() {
        return Arrays.stream(expected).filter(p -> Arrays.stream(resolved).noneMatch(p::equals))
                .reduce((a, b) -> a + ", " + b).orElse(expectations == 0 ? "the event's expectation" : "-");
    }
}
