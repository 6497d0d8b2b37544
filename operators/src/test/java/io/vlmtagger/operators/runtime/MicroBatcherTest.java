package io.vlmtagger.operators.runtime;

import io.vlmtagger.operators.testutils.ManualBatchScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MicroBatcherTest {
    private final ManualBatchScheduler clock = new ManualBatchScheduler();
    private final List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());
    private MicroBatcher<String, String> batcher;

    @AfterEach
    void close() {
        if (batcher != null) {
            batcher.close();
        }
    }

    private MicroBatcher.Builder<String, String> builder(BatchHandler<String, String> handler) {
        return MicroBatcher.<String, String>builder()
                .setName("test")
                .setHandler(batch -> {
                    batches.add(List.copyOf(batch));
                    return handler.run(batch);
                })
                .optScheduler(clock);
    }

    private static List<String> upper(List<String> batch) {
        return batch.stream().map(String::toUpperCase).collect(Collectors.toList());
    }

    @Test
    void fullBatchRunsWithoutWaitingForTheDeadline() throws Exception {
        batcher = builder(MicroBatcherTest::upper).optMaxBatchSize(3).optMaxBatchWait(Duration.ofHours(1)).build();
        CompletableFuture<String> a = batcher.submit("a");
        CompletableFuture<String> b = batcher.submit("b");
        assertThat(batcher.queueDepth()).isEqualTo(2);
        CompletableFuture<String> c = batcher.submit("c");

        assertThat(List.of(a.get(5, TimeUnit.SECONDS), b.get(5, TimeUnit.SECONDS), c.get(5, TimeUnit.SECONDS)))
                .containsExactly("A", "B", "C");
        assertThat(batches).containsExactly(List.of("a", "b", "c"));
    }

    @Test
    void partialBatchRunsWhenTheOldestHasWaitedMaxBatchWait() throws Exception {
        batcher = builder(MicroBatcherTest::upper).optMaxBatchSize(8).optMaxBatchWait(Duration.ofMillis(20)).build();
        CompletableFuture<String> a = batcher.submit("a");
        clock.advance(Duration.ofMillis(5));
        CompletableFuture<String> b = batcher.submit("b");
        clock.advance(Duration.ofMillis(14));
        assertThat(batcher.queueDepth()).as("19 ms after the first: still waiting").isEqualTo(2);
        assertThat(a).isNotDone();

        clock.advance(Duration.ofMillis(1));
        assertThat(a.get(5, TimeUnit.SECONDS)).isEqualTo("A");
        assertThat(b.get(5, TimeUnit.SECONDS)).isEqualTo("B");
        assertThat(batches).containsExactly(List.of("a", "b"));
    }

    @Test
    void requestsAccumulateWhileTheModelIsBusy() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        batcher = builder(batch -> {
            if (batch.contains("first")) {
                started.countDown();
                release.await();
            }
            return upper(batch);
        }).optMaxBatchSize(4).optMaxBatchWait(Duration.ZERO).build();
        CompletableFuture<String> first = batcher.submit("first");
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        List<CompletableFuture<String>> rest = new ArrayList<>();
        for (String s : List.of("b", "c", "d", "e", "f")) {
            rest.add(batcher.submit(s));
        }
        release.countDown();
        first.get(5, TimeUnit.SECONDS);
        for (CompletableFuture<String> f : rest) {
            f.get(5, TimeUnit.SECONDS);
        }
        assertThat(batches).containsExactly(List.of("first"), List.of("b", "c", "d", "e"), List.of("f"));
    }

    @Test
    void failedBatchIsRetriedElementByElementSoOnlyThePoisonFails() throws Exception {
        List<Integer> retried = new ArrayList<>();
        batcher = builder(batch -> {
            if (batch.contains("poison")) {
                throw new IllegalArgumentException("cannot handle poison");
            }
            return upper(batch);
        }).optMaxBatchSize(3).optListener(new InferenceListener() {
            @Override
            public void onElementwiseRetry(int batchSize) {
                retried.add(batchSize);
            }
        }).build();
        CompletableFuture<String> a = batcher.submit("a");
        CompletableFuture<String> p = batcher.submit("poison");
        CompletableFuture<String> c = batcher.submit("c");

        assertThat(a.get(5, TimeUnit.SECONDS)).isEqualTo("A");
        assertThat(c.get(5, TimeUnit.SECONDS)).isEqualTo("C");
        assertThatThrownBy(() -> p.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(IllegalArgumentException.class).hasMessage("cannot handle poison");
        assertThat(batches).containsExactly(List.of("a", "poison", "c"), List.of("a"), List.of("poison"), List.of("c"));
        assertThat(retried).containsExactly(3);
    }

    @Test
    void outOfMemoryBatchIsSplitInHalves() throws Exception {
        batcher = builder(batch -> {
            if (batch.size() > 2) {
                throw new RuntimeException("CUDA out of memory. Tried to allocate 2.00 GiB");
            }
            return upper(batch);
        }).optMaxBatchSize(4).build();
        List<CompletableFuture<String>> fs = new ArrayList<>();
        for (String s : List.of("a", "b", "c", "d")) {
            fs.add(batcher.submit(s));
        }
        for (CompletableFuture<String> f : fs) {
            f.get(5, TimeUnit.SECONDS);
        }
        assertThat(fs.stream().map(CompletableFuture::join)).containsExactly("A", "B", "C", "D");
        assertThat(batches).containsExactly(List.of("a", "b", "c", "d"), List.of("a", "b"), List.of("c", "d"));
    }

    @Test
    void outOfMemorySplittingCanBeTurnedOff() throws Exception {
        batcher = builder(batch -> {
            if (batch.size() > 2) {
                throw new OutOfMemoryError("Java heap space");
            }
            return upper(batch);
        }).optMaxBatchSize(4).optSplitOnOutOfMemory(false).build();
        List<CompletableFuture<String>> fs = new ArrayList<>();
        for (String s : List.of("a", "b", "c", "d")) {
            fs.add(batcher.submit(s));
        }
        for (CompletableFuture<String> f : fs) {
            f.get(5, TimeUnit.SECONDS);
        }
        assertThat(batches).hasSize(5).element(1).isEqualTo(List.of("a"));
    }

    @Test
    void preprocessingRunsOffTheModelThreadAndItsFailuresNeverReachTheModel() throws Exception {
        List<String> preprocessThreads = Collections.synchronizedList(new ArrayList<>());
        List<String> modelThreads = Collections.synchronizedList(new ArrayList<>());
        batcher = builder(batch -> {
            modelThreads.add(Thread.currentThread().getName());
            return upper(batch);
        }).optMaxBatchSize(2).optPreprocessor(s -> {
            preprocessThreads.add(Thread.currentThread().getName());
            if (s.equals("corrupt")) {
                throw new IllegalStateException("corrupt image");
            }
            return s + "!";
        }).build();
        CompletableFuture<String> bad = batcher.submit("corrupt");
        CompletableFuture<String> a = batcher.submit("a");
        CompletableFuture<String> b = batcher.submit("b");

        assertThat(a.get(5, TimeUnit.SECONDS)).isEqualTo("A!");
        assertThat(b.get(5, TimeUnit.SECONDS)).isEqualTo("B!");
        assertThatThrownBy(() -> bad.get(5, TimeUnit.SECONDS)).cause().hasMessage("corrupt image");
        assertThat(batches).as("two preprocessing threads: either order")
                .singleElement().satisfies(batch -> assertThat(batch).containsExactlyInAnyOrder("a!", "b!"));
        assertThat(modelThreads).containsExactly("test-model");
        assertThat(preprocessThreads).hasSize(3).allSatisfy(t -> assertThat(t).startsWith("test-preprocess-"));
    }

    @Test
    void submitFailsFastBeyondCapacity() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        batcher = builder(batch -> {
            release.await();
            return upper(batch);
        }).optMaxBatchSize(1).optCapacity(2).build();
        CompletableFuture<String> a = batcher.submit("a");
        CompletableFuture<String> b = batcher.submit("b");
        CompletableFuture<String> c = batcher.submit("c");
        assertThatThrownBy(() -> c.get(1, TimeUnit.SECONDS)).cause().isInstanceOf(BatcherFullException.class)
                .hasMessageContaining("inference.capacity");
        release.countDown();
        assertThat(a.get(5, TimeUnit.SECONDS)).isEqualTo("A");
        assertThat(b.get(5, TimeUnit.SECONDS)).isEqualTo("B");
        assertThat(batcher.submit("d").get(5, TimeUnit.SECONDS)).as("capacity is free again").isEqualTo("D");
    }

    @Test
    void aCallerMaySubmitItsNextRequestFromTheCompletionCallback() throws Exception {
        // Flink's async operator admits the next element as soon as a result completes: the slot
        // must already be free when the caller's callback runs, or a full batcher refuses it.
        batcher = builder(MicroBatcherTest::upper).optMaxBatchSize(1).optCapacity(1).build();
        CompletableFuture<CompletableFuture<String>> next = new CompletableFuture<>();
        batcher.submit("a").whenComplete((r, t) -> next.complete(batcher.submit("b")));
        assertThat(next.get(5, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS)).isEqualTo("B");
        assertThat(batcher.inFlight()).isZero();
    }

    @Test
    void queuedRequestTimesOutAndIsNeverRun() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        batcher = builder(batch -> {
            started.countDown();
            release.await();
            return upper(batch);
        }).optMaxBatchSize(1).build();
        CompletableFuture<String> a = batcher.submit("a");
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<String> late = batcher.submit("late", Duration.ofMillis(100));
        clock.advance(Duration.ofMillis(99));
        assertThat(late).isNotDone();
        clock.advance(Duration.ofMillis(1));
        assertThatThrownBy(() -> late.get(1, TimeUnit.SECONDS)).cause().isInstanceOf(TimeoutException.class);
        release.countDown();
        assertThat(a.get(5, TimeUnit.SECONDS)).isEqualTo("A");
        assertThat(batcher.submit("b").get(5, TimeUnit.SECONDS)).isEqualTo("B");
        assertThat(batches).containsExactly(List.of("a"), List.of("b"));
    }

    @Test
    void bucketsKeepShortAndLongPromptsApartWithoutStarvingTheOldest() throws Exception {
        batcher = builder(MicroBatcherTest::upper).optMaxBatchSize(2).optMaxBatchWait(Duration.ofMillis(20))
                .optBucketer(String::length).build();
        CompletableFuture<String> a = batcher.submit("a");
        CompletableFuture<String> long1 = batcher.submit("long");
        CompletableFuture<String> long2 = batcher.submit("wide");
        assertThat(long2.get(5, TimeUnit.SECONDS)).as("a full bucket goes at once").isEqualTo("WIDE");
        assertThat(a).isNotDone();
        CompletableFuture<String> b = batcher.submit("b");
        assertThat(b.get(5, TimeUnit.SECONDS)).isEqualTo("B");
        assertThat(a.join()).isEqualTo("A");
        CompletableFuture<String> c = batcher.submit("c");
        CompletableFuture<String> tall = batcher.submit("tall");
        clock.advance(Duration.ofMillis(20));
        c.get(5, TimeUnit.SECONDS);
        tall.get(5, TimeUnit.SECONDS);
        assertThat(batches).containsExactly(List.of("long", "wide"), List.of("a", "b"), List.of("c"), List.of("tall"));
    }

    /** Preprocessing that runs only when the test says so, one submitted request at a time, in order. */
    private static final class StepExecutor implements java.util.concurrent.Executor {
        private final java.util.ArrayDeque<Runnable> tasks = new java.util.ArrayDeque<>();

        @Override
        public synchronized void execute(Runnable task) {
            tasks.add(task);
        }

        void runNext() {
            Runnable task;
            synchronized (this) {
                task = tasks.poll();
            }
            task.run();
        }
    }

    private MicroBatcher.Builder<String, String> steppedPreprocessing(StepExecutor preprocess) {
        return builder(MicroBatcherTest::upper).optMaxBatchSize(4).optMaxBatchWait(Duration.ofMillis(20))
                .optMaxPreprocessWait(Duration.ofMillis(100)).optPreprocessExecutor(preprocess)
                .optPreprocessor(s -> {
                    if (s.equals("corrupt")) {
                        throw new IllegalStateException("corrupt image");
                    }
                    return s;
                });
    }

    /** Builds the batcher, submits {@code first} and {@code second} and decodes only the first. */
    private List<CompletableFuture<String>> submitTwoDecodeOne(StepExecutor preprocess, String first, String second) {
        batcher = steppedPreprocessing(preprocess).build();
        List<CompletableFuture<String>> futures = List.of(batcher.submit(first), batcher.submit(second));
        preprocess.runNext();
        return futures;
    }

    @Test
    void aDueBatchWaitsForRequestsStillBeingPreprocessedUntilItIsFull() throws Exception {
        StepExecutor preprocess = new StepExecutor();
        batcher = steppedPreprocessing(preprocess).build();
        List<CompletableFuture<String>> futures = new ArrayList<>();
        for (String s : List.of("a", "b", "c", "d", "e")) {
            futures.add(batcher.submit(s));
        }
        preprocess.runNext();
        preprocess.runNext();
        clock.advance(Duration.ofMillis(50));
        assertThat(batcher.queueDepth()).as("past max-batch-wait, three more still decoding: waits").isEqualTo(2);
        preprocess.runNext();
        assertThat(batcher.queueDepth()).isEqualTo(3);
        preprocess.runNext();

        for (int i = 0; i < 4; i++) {
            assertThat(futures.get(i).get(5, TimeUnit.SECONDS)).isEqualTo(List.of("A", "B", "C", "D").get(i));
        }
        assertThat(batches).containsExactly(List.of("a", "b", "c", "d"));
        preprocess.runNext();
        clock.advance(Duration.ofMillis(20));
        assertThat(futures.get(4).get(5, TimeUnit.SECONDS)).isEqualTo("E");
    }

    @Test
    void theWaitForPreprocessingEndsAfterMaxPreprocessWaitAndALoneRequestOnlyWaitsMaxBatchWait() throws Exception {
        StepExecutor preprocess = new StepExecutor();
        List<CompletableFuture<String>> futures = submitTwoDecodeOne(preprocess, "a", "b");
        CompletableFuture<String> a = futures.get(0);
        CompletableFuture<String> stuck = futures.get(1);
        clock.advance(Duration.ofMillis(119));
        assertThat(batcher.queueDepth()).as("b is still decoding").isEqualTo(1);
        clock.advance(Duration.ofMillis(1));
        assertThat(a.get(5, TimeUnit.SECONDS)).as("after max-batch-wait + max-preprocess-wait").isEqualTo("A");

        preprocess.runNext();
        assertThat(batcher.queueDepth()).isEqualTo(1);
        clock.advance(Duration.ofMillis(19));
        assertThat(stuck).isNotDone();
        clock.advance(Duration.ofMillis(1));
        assertThat(stuck.get(5, TimeUnit.SECONDS)).as("nothing behind it: max-batch-wait only").isEqualTo("B");
        assertThat(batches).containsExactly(List.of("a"), List.of("b"));
    }

    @Test
    void aFailedPreprocessingEndsTheWaitAndZeroTurnsTheWaitOff() throws Exception {
        StepExecutor preprocess = new StepExecutor();
        List<CompletableFuture<String>> futures = submitTwoDecodeOne(preprocess, "a", "corrupt");
        CompletableFuture<String> a = futures.get(0);
        CompletableFuture<String> bad = futures.get(1);
        clock.advance(Duration.ofMillis(30));
        assertThat(batcher.queueDepth()).isEqualTo(1);
        preprocess.runNext();
        assertThat(a.get(5, TimeUnit.SECONDS)).isEqualTo("A");
        assertThatThrownBy(() -> bad.get(5, TimeUnit.SECONDS)).cause().hasMessage("corrupt image");
        batcher.close();

        StepExecutor second = new StepExecutor();
        batcher = steppedPreprocessing(second).optMaxPreprocessWait(Duration.ZERO).build();
        CompletableFuture<String> c = batcher.submit("c");
        batcher.submit("d");
        second.runNext();
        clock.advance(Duration.ofMillis(20));
        assertThat(c.get(5, TimeUnit.SECONDS)).isEqualTo("C");
        assertThat(batches).containsExactly(List.of("a"), List.of("c"));
    }

    @Test
    void builderSaysWhatIsMissing() {
        assertThatThrownBy(() -> MicroBatcher.<String, String>builder().setHandler(b -> b).build())
                .hasMessageContaining("setName");
        assertThatThrownBy(() -> MicroBatcher.<String, String>builder().setName("x").build())
                .hasMessageContaining("setHandler");
        assertThatThrownBy(() -> MicroBatcher.<String, String>builder().setName("x").setHandler(b -> b)
                .optMaxBatchSize(8).optCapacity(4).build())
                .hasMessageContaining("capacity (4) must be >= maxBatchSize (8)");
        assertThatThrownBy(() -> MicroBatcher.<String, String>builder().setName("x").setHandler(b -> b)
                .optMaxPreprocessWait(Duration.ofMillis(-1)).build())
                .hasMessageContaining("maxPreprocessWait must be >= 0");
    }
}
