package io.vlmtagger.models.generate;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * One request of a {@link ContinuousBatcher}: its future, the tokens so far and its attention
 * mask over the running cache's positions (host side; left-padded with zeros when a longer batch
 * joins, grown by one 1 per step). Loop thread only, except {@link #future}.
 */
final class ContinuousRow<R> {
    final R request;
    final int maxNewTokens;
    final CompletableFuture<Completion> future = new CompletableFuture<>();
    final long submitNanos;
    long joinStartNanos;
    long joinEndNanos;
    int promptTokens;
    long[] mask = new long[0];
    private long[] tokens;
    private int count;

    ContinuousRow(R request, int maxNewTokens, long submitNanos) {
        this.request = request;
        this.maxNewTokens = maxNewTokens;
        this.submitNanos = submitNanos;
        this.tokens = new long[Math.min(maxNewTokens, 64)];
    }

    void add(long token) {
        if (count == tokens.length) {
            tokens = Arrays.copyOf(tokens, Math.min(maxNewTokens, tokens.length * 2));
        }
        tokens[count++] = token;
    }

    long last() {
        return tokens[count - 1];
    }

    int generated() {
        return count;
    }

    /** Left-pads the mask with zeros to {@code width} positions. */
    void padMaskTo(int width) {
        if (mask.length < width) {
            long[] padded = new long[width];
            System.arraycopy(mask, 0, padded, width - mask.length, mask.length);
            mask = padded;
        }
    }

    /** Leading zeros of the mask: positions this row never attends to. */
    int leadingPadding() {
        int n = 0;
        while (n < mask.length && mask[n] == 0) {
            n++;
        }
        return n;
    }

    void complete(long nowNanos) {
        future.complete(new Completion(Arrays.copyOf(tokens, count), promptTokens,
                ms(joinStartNanos - submitNanos), ms(joinEndNanos - joinStartNanos),
                ms(nowNanos - joinEndNanos), ms(nowNanos - submitNanos)));
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
