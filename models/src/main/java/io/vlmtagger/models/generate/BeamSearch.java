package io.vlmtagger.models.generate;

import io.vlmtagger.models.api.GenerationOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Beam search as transformers 4.40 does it ({@code _beam_search} + {@code BeamSearchScorer}, one
 * returned sequence per row): scores are log-softmax plus processors (repetition penalty, min new
 * tokens), running beam scores are sums of log-probabilities, each step keeps the best {@code
 * max(2, 1 + #eos) * numBeams} candidates of {@code numBeams * V}; an eos candidate ranked among
 * the first {@code numBeams} closes a hypothesis scored {@code sum_logprobs / generated_len ^
 * length_penalty} (generated_len counts the eos). A row is done once it holds {@code numBeams}
 * hypotheses and the worst of them beats the best running score divided by the current length
 * ({@code early_stopping=False}); rows still open at {@code maxNewTokens} add their running beams.
 *
 * <p>The prompt is run once per row; its cache rows are duplicated into beams after the first
 * step (transformers runs the prompt once per beam; the result is the same).
 */
final class BeamSearch {
    private final DecodeSession session;
    private final GenerationOptions options;
    private final long[] eosIds;
    private final long padId;
    private final long[][] context;
    private final int beams;

    BeamSearch(DecodeSession session, GenerationOptions options, long[] eosIds, long padId, long[][] context) {
        this.session = session;
        this.options = options;
        this.eosIds = eosIds;
        this.padId = padId;
        this.context = context;
        this.beams = options.numBeams();
    }

    /** @param first prefill logits {@code [batch * V]}, one row per prompt */
    long[][] run(float[] first, int batch) {
        int vocab = session.vocab();
        int maxNew = options.maxNewTokens();
        int rows = batch * beams;
        int keep = Math.max(2, 1 + eosIds.length) * beams;
        float[] beamScores = new float[rows];
        for (int i = 0; i < rows; i++) {
            beamScores[i] = i % beams == 0 ? 0f : -1e9f;
        }
        long[][] seqs = new long[rows][0];
        Hypotheses[] hyps = new Hypotheses[batch];
        for (int b = 0; b < batch; b++) {
            hyps[b] = new Hypotheses(beams, options.lengthPenalty());
        }
        boolean[] done = new boolean[batch];
        int[] promptRowOf = new int[rows];
        for (int i = 0; i < rows; i++) {
            promptRowOf[i] = i / beams;
        }
        float[] logits = first;
        float[] scores = new float[vocab];
        for (int step = 0; ; step++) {
            int curLen = step + 1;
            float[] nextScores = new float[rows];
            long[] nextTokens = new long[rows];
            int[] nextRows = new int[rows];
            for (int b = 0; b < batch; b++) {
                if (done[b]) {
                    for (int j = 0; j < beams; j++) {
                        nextScores[b * beams + j] = 0f;
                        nextTokens[b * beams + j] = padId;
                        nextRows[b * beams + j] = b * beams + j;
                    }
                    continue;
                }
                Candidates cand = new Candidates(keep);
                for (int j = 0; j < beams; j++) {
                    int row = b * beams + j;
                    int logitsRow = step == 0 ? b : row;
                    System.arraycopy(logits, logitsRow * vocab, scores, 0, vocab);
                    LogitsProcessing.logSoftmax(scores);
                    LogitsProcessing.applyRepetitionPenalty(scores, options.repetitionPenalty(),
                            context == null ? null : context[b], context == null ? 0 : context[b].length,
                            seqs[row], seqs[row].length);
                    if (step < options.minNewTokens()) {
                        LogitsProcessing.suppressEos(scores, eosIds);
                    }
                    for (int v = 0; v < vocab; v++) {
                        cand.offer(scores[v] + beamScores[row], j, v);
                    }
                }
                int filled = 0;
                for (int rank = 0; rank < cand.size && filled < beams; rank++) {
                    int srcRow = b * beams + cand.beam[rank];
                    if (isEos(cand.token[rank])) {
                        if (rank >= beams) {
                            continue;
                        }
                        long[] hyp = Arrays.copyOf(seqs[srcRow], seqs[srcRow].length + 1);
                        hyp[hyp.length - 1] = cand.token[rank];
                        hyps[b].add(hyp, cand.score[rank], curLen);
                    } else {
                        int dst = b * beams + filled++;
                        nextScores[dst] = cand.score[rank];
                        nextTokens[dst] = cand.token[rank];
                        nextRows[dst] = srcRow;
                    }
                }
                for (; filled < beams; filled++) { // fewer non-eos candidates than beams (tiny vocabularies)
                    int dst = b * beams + filled;
                    nextScores[dst] = -1e9f;
                    nextTokens[dst] = padId;
                    nextRows[dst] = b * beams;
                }
                done[b] = hyps[b].isDone(cand.score[0], curLen);
            }
            long[][] nextSeqs = new long[rows][];
            for (int i = 0; i < rows; i++) {
                long[] src = seqs[nextRows[i]];
                nextSeqs[i] = Arrays.copyOf(src, src.length + 1);
                nextSeqs[i][src.length] = nextTokens[i];
            }
            seqs = nextSeqs;
            beamScores = nextScores;
            if (allTrue(done) || step + 1 >= maxNew) {
                break;
            }
            int[] cacheRows = new int[rows];
            for (int i = 0; i < rows; i++) {
                cacheRows[i] = step == 0 ? nextRows[i] / beams : nextRows[i];
            }
            session.reorder(cacheRows);
            logits = session.step(nextTokens, promptRowOf);
        }
        long[][] out = new long[batch][];
        for (int b = 0; b < batch; b++) {
            if (!done[b]) {
                for (int j = 0; j < beams; j++) {
                    int row = b * beams + j;
                    hyps[b].add(seqs[row], beamScores[row], seqs[row].length);
                }
            }
            out[b] = hyps[b].best();
        }
        return out;
    }

    private boolean isEos(long token) {
        for (long eos : eosIds) {
            if (eos == token) {
                return true;
            }
        }
        return false;
    }

    private static boolean allTrue(boolean[] flags) {
        for (boolean f : flags) {
            if (!f) {
                return false;
            }
        }
        return true;
    }

    /** The best {@code capacity} (score, beam, token) triples offered, best first. */
    private static final class Candidates {
        final float[] score;
        final int[] beam;
        final long[] token;
        int size;

        Candidates(int capacity) {
            score = new float[capacity];
            beam = new int[capacity];
            token = new long[capacity];
        }

        void offer(float s, int b, long t) {
            if (size == score.length && !(s > score[size - 1])) {
                return;
            }
            int pos = size == score.length ? size - 1 : size++;
            while (pos > 0 && s > score[pos - 1]) {
                score[pos] = score[pos - 1];
                beam[pos] = beam[pos - 1];
                token[pos] = token[pos - 1];
                pos--;
            }
            score[pos] = s;
            beam[pos] = b;
            token[pos] = t;
        }
    }

    /** transformers' {@code BeamHypotheses}: the best {@code numBeams} finished sequences of one row. */
    private static final class Hypotheses {
        private final int capacity;
        private final float lengthPenalty;
        private final List<double[]> scores = new ArrayList<>();
        private final List<long[]> seqs = new ArrayList<>();
        private double worst = 1e9;

        Hypotheses(int capacity, float lengthPenalty) {
            this.capacity = capacity;
            this.lengthPenalty = lengthPenalty;
        }

        void add(long[] seq, double sumLogprobs, int generatedLen) {
            double score = sumLogprobs / Math.pow(generatedLen, lengthPenalty);
            if (seqs.size() < capacity || score > worst) {
                scores.add(new double[] {score});
                seqs.add(seq);
                if (seqs.size() > capacity) {
                    int worstIdx = 0;
                    for (int i = 1; i < scores.size(); i++) {
                        if (scores.get(i)[0] < scores.get(worstIdx)[0]) {
                            worstIdx = i;
                        }
                    }
                    scores.remove(worstIdx);
                    seqs.remove(worstIdx);
                    worst = Double.POSITIVE_INFINITY;
                    for (double[] s : scores) {
                        worst = Math.min(worst, s[0]);
                    }
                } else {
                    worst = Math.min(score, worst);
                }
            }
        }

        boolean isDone(double bestRunningSum, int curLen) {
            if (seqs.size() < capacity) {
                return false;
            }
            return worst >= bestRunningSum / Math.pow(curLen, lengthPenalty);
        }

        long[] best() {
            int bestIdx = 0;
            for (int i = 1; i < scores.size(); i++) {
                if (scores.get(i)[0] > scores.get(bestIdx)[0]) {
                    bestIdx = i;
                }
            }
            return seqs.get(bestIdx);
        }
    }
}
