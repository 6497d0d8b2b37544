package io.vlmtagger.models.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Host-side next-token selection on one row's scores ({@code float[vocab]}), with transformers'
 * semantics: logits processors (repetition penalty, min-new-tokens eos suppression) then, for
 * sampling, warpers (temperature, top-k, top-p) and a multinomial draw. Each method works in
 * place on the array it is given.
 */
final class LogitsProcessing {

    private LogitsProcessing() {}

    /**
     * transformers' {@code RepetitionPenaltyLogitsProcessor}: for every distinct token already in
     * the sequence, a positive score is divided by {@code penalty}, a negative one multiplied.
     */
    static void applyRepetitionPenalty(float[] scores, float penalty, long[] context, int contextLen,
            long[] generated, int generatedLen) {
        if (penalty == 1.0f) {
            return;
        }
        boolean[] seen = new boolean[scores.length];
        penalise(scores, penalty, seen, context, contextLen);
        penalise(scores, penalty, seen, generated, generatedLen);
    }

    private static void penalise(float[] scores, float penalty, boolean[] seen, long[] ids, int len) {
        if (ids == null) {
            return;
        }
        for (int i = 0; i < len; i++) {
            long id = ids[i];
            if (id < 0 || id >= scores.length || seen[(int) id]) {
                continue;
            }
            seen[(int) id] = true;
            float s = scores[(int) id];
            scores[(int) id] = s < 0 ? s * penalty : s / penalty;
        }
    }

    /** transformers' {@code MinNewTokensLengthLogitsProcessor}: eos impossible before {@code minNewTokens}. */
    static void suppressEos(float[] scores, long[] eosIds) {
        for (long eos : eosIds) {
            if (eos >= 0 && eos < scores.length) {
                scores[(int) eos] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /** Index of the largest score; the first one on ties (as {@code torch.argmax}). */
    static int argMax(float[] scores) {
        int best = 0;
        for (int i = 1; i < scores.length; i++) {
            if (scores[i] > scores[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * Temperature, top-k (0 = off; ties with the k-th score are kept) and top-p (keeps the smallest
     * set of most likely tokens whose probability reaches {@code topP}, at least one), then a draw.
     */
    static int sample(float[] scores, float temperature, int topK, float topP, SplittableRandom random) {
        int v = scores.length;
        if (temperature != 1.0f) {
            for (int i = 0; i < v; i++) {
                scores[i] /= temperature;
            }
        }
        if (topK > 0 && topK < v) {
            float[] sorted = scores.clone();
            Arrays.sort(sorted);
            float kth = sorted[v - topK];
            for (int i = 0; i < v; i++) {
                if (scores[i] < kth) {
                    scores[i] = Float.NEGATIVE_INFINITY;
                }
            }
        }
        double[] probs = softmax(scores);
        if (topP < 1.0f) {
            Integer[] order = new Integer[v];
            for (int i = 0; i < v; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Double.compare(probs[b], probs[a]));
            double before = 0; // probability mass of the tokens ranked above this one
            for (int rank = 0; rank < v; rank++) {
                int id = order[rank];
                if (rank > 0 && before >= topP) {
                    probs[id] = 0;
                } else {
                    before += probs[id];
                }
            }
        }
        double total = 0;
        for (double p : probs) {
            total += p;
        }
        double u = random.nextDouble() * total;
        double acc = 0;
        int last = -1;
        for (int i = 0; i < v; i++) {
            if (probs[i] > 0) {
                acc += probs[i];
                last = i;
                if (u < acc) {
                    return i;
                }
            }
        }
        return last >= 0 ? last : argMax(scores);
    }

    /** Numerically stable softmax in double; {@code -inf} scores get probability 0. */
    static double[] softmax(float[] scores) {
        float max = Float.NEGATIVE_INFINITY;
        for (float s : scores) {
            max = Math.max(max, s);
        }
        double[] p = new double[scores.length];
        if (max == Float.NEGATIVE_INFINITY) {
            return p;
        }
        double sum = 0;
        for (int i = 0; i < scores.length; i++) {
            p[i] = scores[i] == Float.NEGATIVE_INFINITY ? 0 : Math.exp(scores[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** {@code log_softmax} in place (float32 result computed in double). */
    static void logSoftmax(float[] scores) {
        float max = Float.NEGATIVE_INFINITY;
        for (float s : scores) {
            max = Math.max(max, s);
        }
        double sum = 0;
        for (float s : scores) {
            sum += s == Float.NEGATIVE_INFINITY ? 0 : Math.exp(s - max);
        }
        double logZ = max + Math.log(sum);
        for (int i = 0; i < scores.length; i++) {
            scores[i] = (float) (scores[i] - logZ);
        }
    }
}
