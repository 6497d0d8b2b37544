package io.vlmtagger.models.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vlmtagger.models.llava.LlavaModel;
import io.vlmtagger.models.testutil.FixtureCheckpoints;
import io.vlmtagger.models.testutil.NativeMemoryProbe;
import io.vlmtagger.models.testutil.StepHookDecoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Queue bound, close, cancellation and native memory of {@link ContinuousBatcher} on the tiny Llama. */
class ContinuousBatcherLifecycleTest {
    private static LlavaModel llava;

    @BeforeAll
    static void load() {
        llava = LlavaModel.load(FixtureCheckpoints.fixture(FixtureCheckpoints.LLAVA_LLAMA_TINY));
    }

    @AfterAll
    static void close() {
        llava.close();
    }

    private static ContinuousBatcher<long[]> batcher(IntConsumer hook, int queueCapacity) {
        return batcher(new StepHookDecoder(llava.languageModel(), hook), queueCapacity);
    }

    private static ContinuousBatcher<long[]> batcher(StepHookDecoder decoder, int queueCapacity) {
        return ContinuousBatcher.<long[]>builder()
                .optName("test-loop")
                .setDecoder(decoder)
                .setEosTokenIds(-1) // never emitted: rows run to maxNewTokens
                .setPromptBuilder(ContinuousBatcherTest::leftPadded)
                .optMaxRows(2)
                .optQueueCapacity(queueCapacity)
                .optCloseTimeout(Duration.ofSeconds(10))
                .build();
    }

    @Test
    void fullQueueRejectsAndCloseFailsQueuedAndRunningRequests() throws Exception {
        CountDownLatch atSecondForward = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ContinuousBatcher<long[]> b = batcher(n -> {
            if (n == 2) {
                atSecondForward.countDown();
                await(release);
            }
        }, 2);
        Random random = new Random(1);
        CompletableFuture<Completion> running = b.submit(ids(random, 5), 50);
        assertThat(atSecondForward.await(30, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Completion> queued1 = b.submit(ids(random, 5), 5);
        CompletableFuture<Completion> queued2 = b.submit(ids(random, 5), 5);
        CompletableFuture<Completion> rejected = b.submit(ids(random, 5), 5);
        assertThatThrownBy(rejected::get).cause().isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("test-loop").hasMessageContaining("2 requests queued");
        assertThat(b.queueDepth()).isEqualTo(2);

        Thread closer = new Thread(b::close);
        closer.start();
        while (!b.closed()) {
            Thread.sleep(1);
        }
        release.countDown(); // the loop finishes its step, then stops
        closer.join(30_000);
        assertThat(closer.isAlive()).isFalse();
        for (CompletableFuture<Completion> f : List.of(running, queued1, queued2)) {
            assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class)
                    .hasMessageContaining("test-loop is closed");
        }
        assertThatThrownBy(() -> b.submit(ids(random, 3), 2).get()).isInstanceOf(CancellationException.class);
    }

    @Test
    void cancelledRowIsDroppedAtTheNextStep() throws Exception {
        List<CompletableFuture<Completion>> toCancel = new ArrayList<>();
        StepHookDecoder decoder = new StepHookDecoder(llava.languageModel(), n -> {
            if (n == 4) {
                toCancel.get(0).cancel(false);
            }
        });
        ContinuousBatcher<long[]> b = batcher(decoder, 8);
        try (b) {
            CompletableFuture<Completion> cancelled = b.submit(ids(new Random(2), 6), 100);
            toCancel.add(cancelled);
            assertThatThrownBy(() -> cancelled.get(30, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
            // the loop dropped it: a later request decodes alone
            Completion next = b.submit(ids(new Random(3), 4), 3).get(30, TimeUnit.SECONDS);
            assertThat(next.tokens()).hasSize(3);
            long seen = b.iterations();
            while (b.iterations() < seen + 2) {
                Thread.sleep(1);
            }
            assertThat(b.runningRows()).isZero();
            assertThat(decoder.batchSizes()).as("4 forwards of the cancelled row, then 3 of the next one alone")
                    .containsExactly(1L, 1L, 1L, 1L, 1L, 1L, 1L);
        }
    }

    @Test
    void underABacklogJoinersArePrefilledInGroupsOfMinJoinRows() throws Exception {
        CountDownLatch blockerIn = new CountDownLatch(1);
        CountDownLatch allQueued = new CountDownLatch(1);
        StepHookDecoder decoder = new StepHookDecoder(llava.languageModel(), n -> {
            if (n == 1) {
                blockerIn.countDown();
                await(allQueued); // a one-token blocker holds the loop until the backlog is queued
            }
        });
        try (ContinuousBatcher<long[]> b = ContinuousBatcher.<long[]>builder()
                .setDecoder(decoder).setEosTokenIds(-1).setPromptBuilder(ContinuousBatcherTest::leftPadded)
                .optMaxRows(4).optMinJoinRows(2).build()) {
            Random random = new Random(6);
            CompletableFuture<Completion> blocker = b.submit(ids(random, 4), 1);
            assertThat(blockerIn.await(30, TimeUnit.SECONDS)).isTrue();
            int[] budgets = {2, 3, 4, 5, 6, 6, 6, 6};
            List<CompletableFuture<Completion>> futures = new ArrayList<>();
            for (int budget : budgets) {
                futures.add(b.submit(ids(random, 4), budget));
            }
            allQueued.countDown();
            assertThat(blocker.get(30, TimeUnit.SECONDS).tokens()).hasSize(1);
            for (int i = 0; i < budgets.length; i++) {
                assertThat(futures.get(i).get(30, TimeUnit.SECONDS).tokens()).hasSize(budgets[i]);
            }
        }
        assertThat(decoder.prefillRows()).as("the blocker, 4 at once, then pairs as pairs of rows free up")
                .containsExactly(1L, 4L, 2L, 2L);
    }

    @Test
    void promptTooLongForThePositionsFailsOnlyItsOwnRequest() throws Exception {
        try (ContinuousBatcher<long[]> b = batcher(n -> { }, 8)) {
            int max = llava.languageModel().maxPositions();
            CompletableFuture<Completion> tooLong = b.submit(ids(new Random(4), max - 2), 5);
            CompletableFuture<Completion> fine = b.submit(ids(new Random(5), 4), 3);
            assertThatThrownBy(() -> tooLong.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds the decoder's");
            assertThat(fine.get(30, TimeUnit.SECONDS).tokens()).hasSize(3);
        }
    }

    @Test
    void manyRequestsLeaveNoNativeArraysBehind() throws Exception {
        try (ContinuousBatcher<long[]> b = batcher(n -> { }, 64)) {
            Random random = new Random(9);
            runWaves(b, random, 5); // warm-up: allocator pools, JIT
            int arraysBefore = NativeMemoryProbe.liveArrays();
            long nativeBefore = NativeMemoryProbe.mallocInUseKb();
            runWaves(b, random, 60);
            assertThat(NativeMemoryProbe.liveArrays()).as("live NDArrays after 240 requests").isEqualTo(arraysBefore);
            assertThat(NativeMemoryProbe.mallocInUseKb() - nativeBefore).as("malloc in-use growth (kB)")
                    .isLessThan(48 * 1024);
        }
    }

    /** {@code waves} x 4 requests of varied lengths, submitted so that they overlap and join. */
    private static void runWaves(ContinuousBatcher<long[]> b, Random random, int waves) throws Exception {
        for (int w = 0; w < waves; w++) {
            List<CompletableFuture<Completion>> wave = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int maxNew = 1 + random.nextInt(6);
                wave.add(b.submit(ids(random, 2 + random.nextInt(20)), maxNew));
            }
            for (CompletableFuture<Completion> f : wave) {
                assertThat(f.get(30, TimeUnit.SECONDS).tokens()).isNotEmpty();
            }
        }
        long seen = b.iterations();
        while (b.iterations() < seen + 2) { // the iteration that completed them has cleaned up
            Thread.sleep(1);
        }
    }

    private static long[] ids(Random random, int length) {
        return ContinuousBatcherTest.prompt(random, length, llava.languageModel());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
