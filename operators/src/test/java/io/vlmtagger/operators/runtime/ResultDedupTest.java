package io.vlmtagger.operators.runtime;

import io.vlmtagger.operators.runtime.ResultDedup.Admission;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResultDedupTest {

    private static DedupKey key(String image) {
        return DedupKey.of(image.getBytes(StandardCharsets.UTF_8), "rev-1", "prompt|max=20");
    }

    @Test
    void identicalRequestInFlightJoinsAndGetsTheLeadersResult() {
        ResultDedup<DedupKey, String> dedup = new ResultDedup<>(10);
        List<String> seen = new ArrayList<>();
        assertThat(dedup.admit(key("cat"), (v, e) -> seen.add("leader-listener-not-used"))).isEqualTo(Admission.LEAD);
        assertThat(dedup.admit(key("cat"), (v, e) -> seen.add("a:" + v))).isEqualTo(Admission.JOINED);
        assertThat(dedup.admit(key("cat"), (v, e) -> seen.add("b:" + v))).isEqualTo(Admission.JOINED);
        assertThat(dedup.admit(key("dog"), (v, e) -> seen.add("dog"))).isEqualTo(Admission.LEAD);
        assertThat(seen).isEmpty();

        dedup.complete(key("cat"), "a cat");
        assertThat(seen).containsExactly("a:a cat", "b:a cat");
        assertThat(dedup.dedupHits()).isEqualTo(2);
        assertThat(dedup.inFlight()).isEqualTo(1);
    }

    @Test
    void repeatedRequestAfterCompletionIsAnsweredFromTheCacheOnTheCallingThread() {
        ResultDedup<DedupKey, String> dedup = new ResultDedup<>(10);
        dedup.admit(key("cat"), (v, e) -> { });
        dedup.complete(key("cat"), "a cat");
        List<String> seen = new ArrayList<>();
        assertThat(dedup.admit(key("cat"), (v, e) -> seen.add(v))).isEqualTo(Admission.CACHED);
        assertThat(seen).containsExactly("a cat");
        assertThat(dedup.cacheHits()).isEqualTo(1);
        assertThat(dedup.dedupHits()).isZero();
    }

    @Test
    void otherRevisionOrPromptIsADifferentRequest() {
        ResultDedup<DedupKey, String> dedup = new ResultDedup<>(10);
        byte[] image = {1, 2, 3};
        dedup.admit(DedupKey.of(image, "rev-1", "p"), (v, e) -> { });
        dedup.complete(DedupKey.of(image, "rev-1", "p"), "x");
        assertThat(dedup.admit(DedupKey.of(image, "rev-2", "p"), (v, e) -> { })).isEqualTo(Admission.LEAD);
        assertThat(dedup.admit(DedupKey.of(image, "rev-1", "q"), (v, e) -> { })).isEqualTo(Admission.LEAD);
        assertThat(dedup.admit(DedupKey.of(new byte[] {1, 2, 4}, "rev-1", "p"), (v, e) -> { })).isEqualTo(Admission.LEAD);
        assertThat(dedup.admit(DedupKey.of(image.clone(), "rev-1", "p"), (v, e) -> { })).isEqualTo(Admission.CACHED);
    }

    @Test
    void failureReachesJoinedRequestsAndIsNotCached() {
        ResultDedup<DedupKey, String> dedup = new ResultDedup<>(10);
        List<Throwable> failures = new ArrayList<>();
        dedup.admit(key("cat"), (v, e) -> { });
        dedup.admit(key("cat"), (v, e) -> failures.add(e));
        IllegalStateException boom = new IllegalStateException("model failed");
        dedup.fail(key("cat"), boom);
        assertThat(failures).containsExactly(boom);
        assertThat(dedup.cachedEntries()).isZero();
        assertThat(dedup.admit(key("cat"), (v, e) -> { })).isEqualTo(Admission.LEAD);
    }

    @Test
    void cacheEvictsTheLeastRecentlyUsedEntry() {
        ResultDedup<DedupKey, String> dedup = new ResultDedup<>(2);
        for (String image : List.of("a", "b")) {
            dedup.admit(key(image), (v, e) -> { });
            dedup.complete(key(image), image.toUpperCase());
        }
        assertThat(dedup.admit(key("a"), (v, e) -> { })).isEqualTo(Admission.CACHED); // a now most recent
        dedup.admit(key("c"), (v, e) -> { });
        dedup.complete(key("c"), "C"); // evicts b
        assertThat(dedup.cachedEntries()).isEqualTo(2);
        assertThat(dedup.admit(key("a"), (v, e) -> { })).isEqualTo(Admission.CACHED);
        assertThat(dedup.admit(key("b"), (v, e) -> { })).isEqualTo(Admission.LEAD);
    }

    @Test
    void zeroEntriesSharesInFlightOnly() {
        ResultDedup<DedupKey, String> dedup = new ResultDedup<>(0);
        dedup.admit(key("a"), (v, e) -> { });
        assertThat(dedup.admit(key("a"), (v, e) -> { })).isEqualTo(Admission.JOINED);
        dedup.complete(key("a"), "A");
        assertThat(dedup.admit(key("a"), (v, e) -> { })).isEqualTo(Admission.LEAD);
        assertThatThrownBy(() -> new ResultDedup<>(-1)).hasMessageContaining("cacheEntries must be >= 0");
    }

    @Test
    void concurrentIdenticalRequestsRunTheModelOnce() throws Exception {
        ResultDedup<DedupKey, String> dedup = new ResultDedup<>(100);
        AtomicInteger modelCalls = new AtomicInteger();
        AtomicInteger answers = new AtomicInteger();
        int threads = 8;
        int perThread = 200;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int t = 0; t < threads; t++) {
                pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        DedupKey k = key("img-" + (i % 10));
                        if (dedup.admit(k, (v, e) -> answers.incrementAndGet()) == Admission.LEAD) {
                            modelCalls.incrementAndGet();
                            answers.incrementAndGet();
                            dedup.complete(k, "caption " + k.imageSha256());
                        }
                    }
                    return null;
                });
            }
            start.countDown();
            pool.shutdown();
            assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
        } finally {
            pool.shutdownNow();
        }
        assertThat(modelCalls.get()).isEqualTo(10);
        assertThat(answers.get()).isEqualTo(threads * perThread);
        assertThat(dedup.cacheHits() + dedup.dedupHits() + modelCalls.get()).isEqualTo(threads * perThread);
    }

    @Test
    void keyHashesTheBytes() {
        assertThat(DedupKey.sha256("abc".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
