package io.vlmtagger.models.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.testutil.ToyDecoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GeneratorTest {
    private static final int VOCAB = 40;
    private static final int HIDDEN = 16;
    private static final int[] LENGTHS = {6, 3, 5};
    private static final long NEVER = VOCAB + 1; // an eos id the toy never emits

    private static NDManager modelManager;
    private static ToyDecoder decoder;
    private static float[][][] prompts; // per row [len][H]

    @BeforeAll
    static void setUp() {
        modelManager = NDManager.newBaseManager();
        decoder = ToyDecoder.create(modelManager, VOCAB, HIDDEN, 64, 7);
        Random random = new Random(11);
        prompts = new float[LENGTHS.length][][];
        for (int r = 0; r < LENGTHS.length; r++) {
            prompts[r] = new float[LENGTHS[r]][HIDDEN];
            for (float[] row : prompts[r]) {
                for (int h = 0; h < HIDDEN; h++) {
                    row[h] = (float) random.nextGaussian();
                }
            }
        }
    }

    @AfterAll
    static void tearDown() {
        modelManager.close();
    }

    private static Generator generator(long eos) {
        return Generator.builder().setDecoder(decoder).setEosTokenIds(eos).build();
    }

    /** Left-padded batch of the given prompt rows, in {@code m}. */
    private static GenerationInput batch(NDManager m, boolean keepLogits, int... rows) {
        int width = 0;
        for (int r : rows) {
            width = Math.max(width, LENGTHS[r]);
        }
        float[] embeds = new float[rows.length * width * HIDDEN];
        long[] mask = new long[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            int pad = width - LENGTHS[rows[i]];
            for (int t = 0; t < LENGTHS[rows[i]]; t++) {
                mask[i * width + pad + t] = 1;
                System.arraycopy(prompts[rows[i]][t], 0, embeds, ((i * width) + pad + t) * HIDDEN, HIDDEN);
            }
        }
        return GenerationInput.builder()
                .setInputsEmbeds(m.create(embeds, new Shape(rows.length, width, HIDDEN)))
                .setAttentionMask(m.create(mask, new Shape(rows.length, width)))
                .optKeepStepLogits(keepLogits)
                .build();
    }

    private static GeneratedSequences run(Generator g, GenerationOptions o, boolean keepLogits, int... rows) {
        try (NDManager m = NDManager.newBaseManager()) {
            return g.generate(batch(m, keepLogits, rows), o);
        }
    }

    /** An eos id that some but not all rows emit within 10 greedy steps, after their second token. */
    private static long eosThatStopsSomeRows() {
        GeneratedSequences free = run(generator(NEVER), GenerationOptions.greedy(10), false, 0, 1, 2);
        long[] row1 = free.tokens(1);
        for (int s = 2; s < row1.length; s++) {
            long candidate = row1[s];
            boolean earlier = false;
            for (int i = 0; i < s; i++) {
                earlier |= row1[i] == candidate;
            }
            int stopping = 0;
            for (int r = 0; r < free.rows(); r++) {
                stopping += Arrays.stream(free.tokens(r)).anyMatch(t -> t == candidate) ? 1 : 0;
            }
            if (!earlier && stopping < free.rows()) {
                return candidate;
            }
        }
        throw new IllegalStateException("toy model repeats too much to pick an eos; change the seed");
    }

    @Test
    void batchedGenerationEqualsOneRowAtATime() {
        long eos = eosThatStopsSomeRows();
        Generator g = generator(eos);
        GenerationOptions o = GenerationOptions.greedy(10);
        GeneratedSequences batched = run(g, o, true, 0, 1, 2);
        boolean someStoppedEarly = false;
        boolean someRanToTheEnd = false;
        for (int r = 0; r < LENGTHS.length; r++) {
            GeneratedSequences single = run(g, o, true, r);
            assertThat(batched.tokens(r)).as("row %d", r).containsExactly(single.tokens(0));
            assertThat(batched.promptLength(r)).isEqualTo(LENGTHS[r]);
            assertClose(batched.stepLogits(r), single.stepLogits(0), 1e-4f);
            someStoppedEarly |= batched.tokens(r).length < 10;
            someRanToTheEnd |= batched.tokens(r).length == 10;
        }
        assertThat(someStoppedEarly).as("a row stopped at eos").isTrue();
        assertThat(someRanToTheEnd).as("a row ran to maxNewTokens").isTrue();
        long[][] padded = batched.padded(g.padTokenId(), 10);
        assertThat(padded[0]).hasSize(10);
    }

    @Test
    void cachedGenerationEqualsRecomputingTheWholeSequence() {
        Generator g = generator(NEVER);
        GeneratedSequences cached = run(g, GenerationOptions.greedy(8), true, 0);
        List<float[]> seq = new ArrayList<>(Arrays.asList(prompts[0]));
        try (NDManager m = NDManager.newBaseManager()) {
            for (int step = 0; step < 8; step++) {
                float[] flat = new float[seq.size() * HIDDEN];
                for (int t = 0; t < seq.size(); t++) {
                    System.arraycopy(seq.get(t), 0, flat, t * HIDDEN, HIDDEN);
                }
                long[] ones = new long[seq.size()];
                Arrays.fill(ones, 1);
                NDArray logits = decoder.forwardLast(m.create(flat, new Shape(1, seq.size(), HIDDEN)),
                        m.create(ones, new Shape(1, seq.size())), null);
                float[] host = logits.toFloatArray();
                assertClose(new float[][] {cached.stepLogits(0)[step]}, new float[][] {host}, 1e-4f);
                int token = LogitsProcessing.argMax(host);
                assertThat(cached.tokens(0)[step]).as("step %d", step).isEqualTo(token);
                seq.add(decoder.embed(m.create(new long[] {token}, new Shape(1, 1))).toFloatArray());
            }
        }
    }

    @Test
    void oneBeamEqualsGreedy() {
        long eos = eosThatStopsSomeRows();
        Generator g = generator(eos);
        GeneratedSequences greedy = run(g, GenerationOptions.greedy(10), false, 0, 1, 2);
        GenerationOptions beam1 = GenerationOptions.builder().optMaxNewTokens(10).optNumBeams(1).build();
        GeneratedSequences beams = run(g, beam1, false, 0, 1, 2);
        for (int r = 0; r < LENGTHS.length; r++) {
            assertThat(beams.tokens(r)).containsExactly(greedy.tokens(r));
        }
    }

    @Test
    void wideBeamSearchFindsTheMostLikelySequence() {
        // With numBeams = V^(L-1) every prefix survives, so the result must be the exhaustive argmax.
        int small = 5;
        try (NDManager weights = NDManager.newBaseManager()) {
            ToyDecoder toy = ToyDecoder.create(weights, small, HIDDEN, 16, 3);
            Generator g = Generator.builder().setDecoder(toy).setEosTokenIds(small + 1).build();
            int len = 3;
            GenerationOptions o = GenerationOptions.builder().optMaxNewTokens(len).optNumBeams(small * small).build();
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray prompt = m.create(new long[] {1, 4, 2}, new Shape(1, 3));
                NDArray mask = m.create(new long[] {1, 1, 1}, new Shape(1, 3));
                GenerationInput in = GenerationInput.builder().setInputIds(prompt).setAttentionMask(mask).build();
                long[] found = g.generate(in, o).tokens(0);
                // log-probabilities after every prefix of length 0..len-1 (prefix coded base `small`)
                List<float[]> logprobs = new ArrayList<>();
                for (int plen = 0; plen < len; plen++) {
                    for (int code = 0; code < Math.pow(small, plen); code++) {
                        long[] ids = new long[3 + plen];
                        ids[0] = 1;
                        ids[1] = 4;
                        ids[2] = 2;
                        for (int i = plen - 1, c = code; i >= 0; i--, c /= small) {
                            ids[3 + i] = c % small;
                        }
                        long[] ones = new long[ids.length];
                        Arrays.fill(ones, 1);
                        float[] logits = toy.forwardLast(toy.embed(m.create(ids, new Shape(1, ids.length))),
                                m.create(ones, new Shape(1, ones.length)), null).toFloatArray();
                        LogitsProcessing.logSoftmax(logits);
                        logprobs.add(logits);
                    }
                }
                double bestScore = Double.NEGATIVE_INFINITY;
                long[] best = null;
                for (int code = 0; code < small * small * small; code++) {
                    long[] cand = {code / (small * small), (code / small) % small, code % small};
                    double score = logprobs.get(0)[(int) cand[0]]
                            + logprobs.get(1 + (int) cand[0])[(int) cand[1]]
                            + logprobs.get(1 + small + (int) (cand[0] * small + cand[1]))[(int) cand[2]];
                    if (score > bestScore) {
                        bestScore = score;
                        best = cand;
                    }
                }
                assertThat(found).containsExactly(best);
            }
        }
    }

    @Test
    void minNewTokensSuppressesEosUntilReached() {
        GeneratedSequences free = run(generator(NEVER), GenerationOptions.greedy(6), false, 0);
        long first = free.tokens(0)[0];
        Generator g = generator(first);
        assertThat(run(g, GenerationOptions.greedy(6), false, 0).tokens(0)).containsExactly(first);
        GenerationOptions min3 = GenerationOptions.builder().optMaxNewTokens(6).optMinNewTokens(3).build();
        long[] tokens = run(g, min3, false, 0).tokens(0);
        assertThat(tokens.length).isGreaterThanOrEqualTo(3);
        assertThat(Arrays.copyOf(tokens, 2)).doesNotContain(first);
        assertThat(tokens[2]).isNotEqualTo(first);
    }

    @Test
    void repetitionPenaltyFollowsTransformersSemantics() {
        Generator g = generator(NEVER);
        GenerationOptions plain = GenerationOptions.greedy(16);
        long[] free = run(g, plain, true, 1).tokens(0);
        assertThat(Arrays.stream(free).distinct().count()).as("toy repeats without a penalty").isLessThan(free.length);
        float penalty = 3.0f;
        GenerationOptions penalised = plain.toBuilder().optRepetitionPenalty(penalty).build();
        GeneratedSequences out = run(g, penalised, true, 1);
        long[] tokens = out.tokens(0);
        assertThat(tokens).isNotEqualTo(free);
        for (int s = 0; s < tokens.length; s++) {
            float[] scores = out.stepLogits(0)[s].clone();
            for (int i = 0; i < s; i++) {
                int id = (int) tokens[i];
                if (Arrays.stream(tokens, 0, i).noneMatch(t -> t == id)) {
                    scores[id] = scores[id] < 0 ? scores[id] * penalty : scores[id] / penalty;
                }
            }
            assertThat(tokens[s]).as("step %d", s).isEqualTo(LogitsProcessing.argMax(scores));
        }
        assertThat(run(g, plain.toBuilder().optRepetitionPenalty(1.0f).build(), false, 1).tokens(0)).containsExactly(free);
    }

    @Test
    void repetitionPenaltyCountsContextTokens() {
        Generator g = generator(NEVER);
        GenerationOptions penalised = GenerationOptions.builder().optMaxNewTokens(3).optRepetitionPenalty(1e4f).build();
        long first = run(g, penalised, false, 0).tokens(0)[0];
        try (NDManager m = NDManager.newBaseManager()) {
            GenerationInput plain = batch(m, false, 0);
            GenerationInput withContext = GenerationInput.builder()
                    .setInputsEmbeds(plain.inputsEmbeds())
                    .setAttentionMask(plain.attentionMask())
                    .optContextTokenIds(new long[][] {{first}})
                    .build();
            assertThat(g.generate(withContext, penalised).tokens(0)[0]).isNotEqualTo(first);
        }
    }

    @Test
    void samplingIsSeededPerCallAndTopKOneIsGreedy() {
        Generator g = generator(NEVER);
        GenerationOptions s1 = GenerationOptions.builder().optMaxNewTokens(12).optDoSample(true).optTopK(0).optSeed(1).build();
        GenerationOptions s2 = s1.toBuilder().optSeed(2).build();
        GeneratedSequences a = run(g, s1, false, 0, 1, 2);
        GeneratedSequences b = run(g, s1, false, 0, 1, 2);
        GeneratedSequences c = run(g, s2, false, 0, 1, 2);
        boolean anyDifferent = false;
        for (int r = 0; r < LENGTHS.length; r++) {
            assertThat(a.tokens(r)).containsExactly(b.tokens(r));
            assertThat(run(g, s1, false, r).tokens(0)).as("row %d alone", r).containsExactly(a.tokens(r));
            anyDifferent |= !Arrays.equals(a.tokens(r), c.tokens(r));
        }
        assertThat(anyDifferent).as("another seed gives another sample").isTrue();
        GenerationOptions topK1 = s1.toBuilder().optTopK(1).optTemperature(0.7f).build();
        GeneratedSequences greedy = run(g, GenerationOptions.greedy(12), false, 0, 1, 2);
        GeneratedSequences k1 = run(g, topK1, false, 0, 1, 2);
        for (int r = 0; r < LENGTHS.length; r++) {
            assertThat(k1.tokens(r)).containsExactly(greedy.tokens(r));
        }
    }

    @Test
    void leavesNoArraysBehind() {
        try (NDManager m = NDManager.newBaseManager()) {
            GenerationInput in = batch(m, false, 0, 1, 2);
            int before = m.getManagedArrays().size();
            int modelBefore = modelManager.getManagedArrays().size();
            generator(eosThatStopsSomeRows()).generate(in, GenerationOptions.greedy(10));
            generator(NEVER).generate(in, GenerationOptions.builder().optNumBeams(3).optMaxNewTokens(5).build());
            assertThat(m.getManagedArrays()).hasSize(before);
            assertThat(modelManager.getManagedArrays()).hasSize(modelBefore);
            assertThat(in.inputsEmbeds().getManager()).isSameAs(m);
        }
    }

    @Test
    void rejectsPromptsLongerThanThePositionTable() {
        assertThatThrownBy(() -> run(generator(NEVER), GenerationOptions.greedy(60), false, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exceeds the decoder's 64 positions");
    }

    private static void assertClose(float[][] actual, float[][] expected, float tol) {
        assertThat(actual.length).isEqualTo(expected.length);
        for (int s = 0; s < actual.length; s++) {
            for (int v = 0; v < actual[s].length; v++) {
                assertThat(Math.abs(actual[s][v] - expected[s][v])).as("step %d token %d", s, v).isLessThanOrEqualTo(tol);
            }
        }
    }
}
