package io.vlmtagger.training.fewshot;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.api.LabeledExample;
import io.vlmtagger.models.api.PixelValues;
import io.vlmtagger.models.pipeline.FewShotPrompt;
import io.vlmtagger.models.idefics.ImageAttentionMasks;
import io.vlmtagger.models.preprocess.ImagePreprocessor;
import io.vlmtagger.training.dataset.Scene;
import io.vlmtagger.training.dataset.ShapesDataset;
import java.util.ArrayList;
import java.util.List;

/**
 * A training batch of episodes with the same number of exemplars {@code k}, as the serving tagger
 * would see them: each row is the {@link FewShotPrompt} the serving tagger builds, followed by the
 * answer ({@code label .}); images preprocessed by the serving IDEFICS preprocessor; the image
 * attention mask of {@link ImageAttentionMasks#forPrompt}. Every row has the same length (labels
 * are single tokens), so there is no padding.
 *
 * <p>Targets: the query's label, its full stop and {@code </s>}; and the label of every exemplar
 * whose value an earlier exemplar of the row already showed (predictable in context too).
 *
 * @param pixels {@code [B, k + 1, 3, S, S]} flattened
 */
record FewShotBatch(int k, List<Episode> episodes, float[] pixels, int imageSize, long[] ids,
        int length, long[] targets, float[] weights, long[] imageMask, long[] probePositions, long[][] probeTargets) {

    static FewShotBatch of(List<Episode> episodes, FewShotTokens tokens, ImagePreprocessor preprocessor,
            ShapesDataset renderer) {
        int b = episodes.size();
        int k = episodes.get(0).k();
        int n = k + 1;
        float[] pixels = null;
        int size = 0;
        long[][] rows = new long[b][];
        for (int r = 0; r < b; r++) {
            Episode e = episodes.get(r);
            if (e.k() != k) {
                throw new IllegalArgumentException("a batch needs one k: episode " + r + " has " + e.k() + ", not " + k);
            }
            List<Scene> scenes = e.scenes(renderer, r * n);
            for (int i = 0; i < n; i++) {
                PixelValues pv = preprocessor.preprocess(renderer.render(scenes.get(i)));
                if (pixels == null) {
                    size = pv.height();
                    pixels = new float[b * n * pv.chw().length];
                }
                System.arraycopy(pv.chw(), 0, pixels, (r * n + i) * pv.chw().length, pv.chw().length);
            }
            rows[r] = tokens.withAnswer(e);
        }
        int t = rows[0].length;
        long[] ids = new long[b * t];
        long[] targets = new long[b * t];
        float[] weights = new float[b * t];
        long[][] ones = new long[b][t];
        for (int r = 0; r < b; r++) {
            if (rows[r].length != t) {
                throw new IllegalStateException("rows of one k must have one length: " + rows[r].length + " vs " + t);
            }
            System.arraycopy(rows[r], 0, ids, r * t, t);
            java.util.Arrays.fill(ones[r], 1L);
            markTargets(episodes.get(r), rows[r], tokens, targets, weights, r * t);
        }
        long[][][] mask = ImageAttentionMasks.forPrompt(rows, ones, tokens.image(), tokens.eos(), n);
        // probe positions: every "Tags:" colon (the query's and the exemplars') and the token after it
        List<long[]> probe = new ArrayList<>();
        for (int r = 0; r < b; r++) {
            int colon = 0;
            for (int i = 0; i + 1 < t; i++) {
                if (rows[r][i] == tokens.colon()) {
                    Look look = colon < k ? episodes.get(r).exemplars().get(colon) : episodes.get(r).query();
                    probe.add(new long[] {r * t + i, look.value(Look.Property.SHAPE), look.value(Look.Property.COLOR),
                            look.value(Look.Property.SIZE), look.value(Look.Property.COUNT)});
                    if (colon < k) {
                        long[] next = probe.get(probe.size() - 1).clone();
                        next[0] = r * t + i + 1;
                        probe.add(next);
                    }
                    colon++;
                }
            }
        }
        long[] probePositions = new long[probe.size()];
        long[][] probeTargets = new long[Look.Property.values().length][probe.size()];
        for (int i = 0; i < probe.size(); i++) {
            probePositions[i] = probe.get(i)[0];
            for (int p = 0; p < probeTargets.length; p++) {
                probeTargets[p][i] = probe.get(i)[p + 1];
            }
        }
        long[] flatMask = new long[b * t * n];
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < t; i++) {
                System.arraycopy(mask[r][i], 0, flatMask, (r * t + i) * n, n);
            }
        }
        return new FewShotBatch(k, List.copyOf(episodes), pixels, size, ids, t, targets, weights, flatMask,
                probePositions, probeTargets);
    }

    /** Targets of one row: the token after each {@code :} is a label (exemplars, then the query's answer). */
    private static void markTargets(Episode e, long[] row, FewShotTokens tokens, long[] targets, float[] weights,
            int offset) {
        int colon = 0;
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int i = 0; i + 1 < row.length; i++) {
            if (row[i] != tokens.colon()) {
                continue;
            }
            if (colon < e.k()) {
                int value = e.rule().value(e.exemplars().get(colon));
                if (!seen.add(value)) {
                    targets[offset + i] = row[i + 1];
                    weights[offset + i] = 1f;
                }
            } else {
                // the query: label, full stop, end of sequence
                for (int j = i; j < row.length; j++) {
                    targets[offset + j] = j + 1 < row.length ? row[j + 1] : tokens.eos();
                    weights[offset + j] = 1f;
                }
            }
            colon++;
        }
    }

    NDArray pixels(NDManager m) {
        return m.create(pixels, new Shape(episodes.size(), k + 1, 3, imageSize, imageSize));
    }

    NDArray ids(NDManager m) {
        return m.create(ids, new Shape(episodes.size(), length));
    }

    NDArray imageMask(NDManager m) {
        return m.create(imageMask, new Shape(episodes.size(), length, k + 1));
    }

    /** For {@link LabeledExample}: the prompt builder reads labels only. */
    static final byte[] NO_IMAGE = new byte[0];
}
