package io.vlmtagger.models.generate;

import java.util.Arrays;

/**
 * The outcome of one {@link Generator#generate} call, on the heap (no native memory): per row the
 * new token ids (no prompt, no padding; the eos token included when the row emitted one), the
 * number of attended prompt positions, optionally the raw logits of every step, and timings.
 */
public final class GeneratedSequences {
    private final long[][] tokens;
    private final int[] promptLengths;
    private final float[][][] stepLogits;
    private final double prefillMs;
    private final double decodeMs;

    GeneratedSequences(long[][] tokens, int[] promptLengths, float[][][] stepLogits, double prefillMs, double decodeMs) {
        this.tokens = tokens;
        this.promptLengths = promptLengths;
        this.stepLogits = stepLogits;
        this.prefillMs = prefillMs;
        this.decodeMs = decodeMs;
    }

    public int rows() {
        return tokens.length;
    }

    /** New token ids of {@code row}; not copied, do not modify. */
    public long[] tokens(int row) {
        return tokens[row];
    }

    /** Attended prompt positions of {@code row} (padding excluded). */
    public int promptLength(int row) {
        return promptLengths[row];
    }

    /**
     * Raw next-token logits of {@code row}: {@code [steps][vocab]}, one entry per generated token
     * ({@code tokens(row).length} entries), or {@code null} unless {@link
     * GenerationInput.Builder#optKeepStepLogits} was set.
     */
    public float[][] stepLogits(int row) {
        return stepLogits == null ? null : stepLogits[row];
    }

    /** The rows as a rectangle {@code [B][width]}, each filled up with {@code padId} after its last token. */
    public long[][] padded(long padId, int width) {
        long[][] out = new long[tokens.length][width];
        for (int r = 0; r < tokens.length; r++) {
            Arrays.fill(out[r], padId);
            System.arraycopy(tokens[r], 0, out[r], 0, Math.min(width, tokens[r].length));
        }
        return out;
    }

    /** Time of the prompt forward pass (first token's logits), milliseconds. */
    public double prefillMs() {
        return prefillMs;
    }

    /** Time of all later steps, milliseconds. */
    public double decodeMs() {
        return decodeMs;
    }

    /** Total new tokens over all rows. */
    public long totalNewTokens() {
        long n = 0;
        for (long[] t : tokens) {
            n += t.length;
        }
        return n;
    }
}
