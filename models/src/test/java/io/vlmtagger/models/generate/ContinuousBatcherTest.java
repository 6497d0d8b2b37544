package io.vlmtagger.models.generate;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.blip2.Blip2Model;
import io.vlmtagger.models.llava.LlavaModel;
import io.vlmtagger.models.testutil.FixtureCheckpoints;
import io.vlmtagger.models.testutil.StepHookDecoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Continuous batching on the real Llama (LLaVA) and OPT (BLIP-2) decoders of the parity fixtures:
 * requests that join a running batch at chosen step boundaries get exactly the greedy tokens they
 * get alone from {@link Generator}.
 */
class ContinuousBatcherTest {
    private static LlavaModel llava;
    private static Blip2Model blip2;

    @BeforeAll
    static void load() {
        llava = LlavaModel.load(FixtureCheckpoints.fixture(FixtureCheckpoints.LLAVA_LLAMA_TINY));
        blip2 = Blip2Model.load(FixtureCheckpoints.fixture(FixtureCheckpoints.BLIP2_OPT_TINY));
    }

    @AfterAll
    static void close() {
        llava.close();
        blip2.close();
    }

    /** A prompt and its token budget. */
    record Ask(long[] ids, int maxNew) {}

    @Test
    void requestJoiningMidGenerationGetsItsSoloTokens() throws Exception {
        CausalDecoder decoder = llava.languageModel();
        Random random = new Random(7);
        Ask first = new Ask(prompt(random, 7, decoder), 12);
        Ask shorter = new Ask(prompt(random, 3, decoder), 10); // joins a wider running cache: its rows get padded
        Ask longer = new Ask(prompt(random, 30, decoder), 8);  // wider than the running cache: the running rows get padded
        Map<Integer, Ask> schedule = Map.of(4, shorter, 6, longer);
        Run run = runStaggered(decoder, new long[] {2}, List.of(first), schedule, 8);

        assertSolo(decoder, new long[] {2}, run);
        assertThat(run.hook.batchSizes()).as("rows of each forward: the joiners decoded with the running row")
                .contains(2L, 3L);
    }

    @Test
    void manyStaggeredRequestsAllMatchTheirSoloOutputs() throws Exception {
        CausalDecoder decoder = llava.languageModel();
        Random random = new Random(11);
        List<Ask> initial = new ArrayList<>();
        initial.add(new Ask(prompt(random, 5, decoder), 40)); // keeps the loop busy past the last scheduled join
        for (int i = 0; i < 2; i++) {
            initial.add(new Ask(prompt(random, 2 + random.nextInt(20), decoder), 1 + random.nextInt(12)));
        }
        Map<Integer, Ask> schedule = new TreeMap<>();
        for (int i = 0; i < 12; i++) {
            schedule.put(2 + 2 * i + random.nextInt(2), new Ask(prompt(random, 2 + random.nextInt(40), decoder),
                    1 + random.nextInt(12)));
        }
        Run run = runStaggered(decoder, new long[] {2}, initial, schedule, 4);

        assertSolo(decoder, new long[] {2}, run);
        assertThat(run.hook.batchSizes().stream().mapToLong(Long::longValue).max().orElse(0))
                .as("never more rows than maxRows").isLessThanOrEqualTo(4);
    }

    @Test
    void rowsStopAtTheirOwnEosOrMaxNewTokens() throws Exception {
        CausalDecoder decoder = llava.languageModel();
        Random random = new Random(3);
        long[] p0 = prompt(random, 9, decoder);
        // pick as eos the third token p0 generates alone (and not one of the first two)
        long[] alone = solo(decoder, new long[] {2}, new Ask(p0, 10));
        long eos = alone[2];
        assertThat(alone[0]).isNotEqualTo(eos);
        assertThat(alone[1]).isNotEqualTo(eos);
        List<Ask> initial = List.of(new Ask(p0, 10), new Ask(prompt(random, 5, decoder), 2),
                new Ask(prompt(random, 12, decoder), 1), new Ask(prompt(random, 4, decoder), 9));
        Run run = runStaggered(decoder, new long[] {eos}, initial, Map.of(2, new Ask(prompt(random, 6, decoder), 5)), 8);

        assertSolo(decoder, new long[] {eos}, run);
        assertThat(run.tokens.get(0)).as("stopped at its eos").hasSize(3).endsWith(eos);
        assertThat(run.tokens.get(1)).as("max 2 new tokens").hasSizeLessThanOrEqualTo(2);
        assertThat(run.tokens.get(2)).as("max 1 new token: done after the prefill").hasSize(1);
    }

    @Test
    void optDecoderJoinsTheSameWay() throws Exception {
        CausalDecoder decoder = blip2.decoder();
        Random random = new Random(5);
        List<Ask> initial = List.of(new Ask(prompt(random, 6, decoder), 20));
        Map<Integer, Ask> schedule = Map.of(3, new Ask(prompt(random, 2, decoder), 9),
                5, new Ask(prompt(random, 25, decoder), 6), 6, new Ask(prompt(random, 11, decoder), 7));
        Run run = runStaggered(decoder, new long[] {2}, initial, schedule, 8);

        assertSolo(decoder, new long[] {2}, run);
        assertThat(run.hook.batchSizes()).contains(2L);
    }

    /**
     * Submits {@code initial} at once and each scheduled ask just before the forward pass with that
     * number (counted over prefills and steps); the first forward waits until {@code initial} is in.
     */
    private static Run runStaggered(CausalDecoder decoder, long[] eos, List<Ask> initial, Map<Integer, Ask> schedule,
            int maxRows) throws Exception {
        List<Ask> order = new ArrayList<>(initial);
        Map<Integer, Integer> indexAtForward = new TreeMap<>();
        for (Map.Entry<Integer, Ask> e : new TreeMap<>(schedule).entrySet()) {
            indexAtForward.put(e.getKey(), order.size());
            order.add(e.getValue());
        }
        Map<Integer, CompletableFuture<Completion>> futures = new ConcurrentHashMap<>();
        CountDownLatch initialIn = new CountDownLatch(1);
        AtomicReference<ContinuousBatcher<long[]>> batcherRef = new AtomicReference<>();
        StepHookDecoder hooked = new StepHookDecoder(decoder, n -> {
            await(initialIn);
            Integer index = indexAtForward.get(n);
            if (index != null) {
                futures.put(index, batcherRef.get().submit(order.get(index).ids, order.get(index).maxNew));
            }
        });
        try (ContinuousBatcher<long[]> batcher = ContinuousBatcher.<long[]>builder()
                .setDecoder(hooked).setEosTokenIds(eos).setPromptBuilder(ContinuousBatcherTest::leftPadded)
                .optMaxRows(maxRows).build()) {
            batcherRef.set(batcher);
            for (int i = 0; i < initial.size(); i++) {
                futures.put(i, batcher.submit(initial.get(i).ids, initial.get(i).maxNew));
            }
            initialIn.countDown();
            List<long[]> tokens = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (int i = 0; i < order.size(); i++) {
                while (!futures.containsKey(i)) {
                    assertThat(System.nanoTime()).as("request %d was never submitted: the loop ran out of work"
                            + " before its forward pass (forwards: %s)", i, hooked.batchSizes()).isLessThan(deadline);
                    Thread.sleep(5); // scheduled asks are submitted by the loop thread
                }
                tokens.add(futures.get(i).get(60, TimeUnit.SECONDS).tokens());
            }
            return new Run(order, tokens, hooked);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    record Run(List<Ask> asks, List<long[]> tokens, StepHookDecoder hook) {}

    private static void assertSolo(CausalDecoder decoder, long[] eos, Run run) {
        for (int i = 0; i < run.asks.size(); i++) {
            Ask a = run.asks.get(i);
            assertThat(run.tokens.get(i)).as("request %d (prompt %d tokens, max %d new) vs alone", i, a.ids.length, a.maxNew)
                    .containsExactly(solo(decoder, eos, a));
        }
    }

    /** Greedy tokens of one prompt alone, unpadded, through the static {@link Generator}. */
    static long[] solo(CausalDecoder decoder, long[] eos, Ask a) {
        Generator g = Generator.builder().setDecoder(decoder).setEosTokenIds(eos).build();
        try (NDManager m = NDManager.newBaseManager()) {
            GenerationInput in = GenerationInput.builder()
                    .setInputIds(m.create(a.ids, new Shape(1, a.ids.length)))
                    .setAttentionMask(m.ones(new Shape(1, a.ids.length), ai.djl.ndarray.types.DataType.INT64))
                    .build();
            return g.generate(in, GenerationOptions.greedy(a.maxNew)).tokens(0);
        }
    }

    /** Left-padded id batch (pad id 1, mask 0). */
    static GenerationInput leftPadded(NDManager m, List<long[]> prompts) {
        int width = prompts.stream().mapToInt(p -> p.length).max().orElseThrow();
        long[] ids = new long[prompts.size() * width];
        long[] mask = new long[ids.length];
        for (int r = 0; r < prompts.size(); r++) {
            long[] p = prompts.get(r);
            for (int t = 0; t < width; t++) {
                int src = t - (width - p.length);
                ids[r * width + t] = src < 0 ? 1 : p[src];
                mask[r * width + t] = src < 0 ? 0 : 1;
            }
        }
        return GenerationInput.builder().setInputIds(m.create(ids, new Shape(prompts.size(), width)))
                .setAttentionMask(m.create(mask, new Shape(prompts.size(), width))).build();
    }

    /** Random prompt ids avoiding the low special ids. */
    static long[] prompt(Random random, int length, CausalDecoder decoder) {
        long[] ids = new long[length];
        for (int i = 0; i < length; i++) {
            ids[i] = 3 + random.nextInt(Math.min(decoder.vocabSize(), 500) - 3);
        }
        return ids;
    }
}
