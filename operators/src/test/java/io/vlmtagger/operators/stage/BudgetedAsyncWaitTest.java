package io.vlmtagger.operators.stage;

import io.vlmtagger.operators.testutils.FakeModels;
import io.vlmtagger.operators.testutils.Mailboxes;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.async.AsyncFunction;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The async wait operator with a byte budget: an element that does not fit waits, running mails,
 * until earlier ones complete (never failing), and one larger than the whole budget passes alone.
 * Each element's value is its size in bytes.
 */
class BudgetedAsyncWaitTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** The test's view of the function: its pending futures and what it saw when each element arrived. */
    static final class Calls {
        final Map<Integer, ResultFuture<Integer>> pending = new ConcurrentHashMap<>();
        final Map<Integer, Integer> pendingWhenInvoked = new ConcurrentHashMap<>();

        void complete(int element) {
            pending.remove(element).complete(List.of(element));
        }
    }

    private final Calls calls = new Calls();
    private final String callsId = FakeModels.register(calls);

    @AfterEach
    void unregister() {
        FakeModels.unregister(callsId);
    }

    /** Completes nothing by itself: the test completes each element's future. */
    static final class Pending implements AsyncFunction<Integer, Integer> {
        private static final long serialVersionUID = 1L;
        private final String callsId;

        Pending(String callsId) {
            this.callsId = callsId;
        }

        @Override
        public void asyncInvoke(Integer element, ResultFuture<Integer> resultFuture) {
            Calls calls = FakeModels.lookup(callsId, Calls.class);
            calls.pendingWhenInvoked.put(element, calls.pending.size());
            calls.pending.put(element, resultFuture);
        }
    }

    private OneInputStreamOperatorTestHarness<Integer, Integer> harness(long maxBytes) throws Exception {
        var factory = new BudgetedAsyncWait.Factory<Integer, Integer>(new Pending(callsId), 60_000, 16, maxBytes,
                element -> element);
        return new OneInputStreamOperatorTestHarness<>(factory, Types.INT.createSerializer(new SerializerConfigImpl()));
    }

    @Test
    void anElementThatDoesNotFitWaitsForEarlierOnesToComplete() throws Exception {
        try (var h = harness(100)) {
            h.open();
            h.processElement(40, 1L);
            h.processElement(40, 2L);
            Thread completer = new Thread(() -> {
                try {
                    // let the task thread reach its wait first (not needed for correctness)
                    TimeUnit.MILLISECONDS.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                calls.complete(40);
            });
            completer.start();
            h.processElement(30, 3L); // 80 + 30 > 100: runs mails until the first 40 is back
            completer.join();

            assertThat(calls.pendingWhenInvoked.get(30)).as("admitted only after a completion").isEqualTo(0);
            assertThat(h.extractOutputValues()).containsExactly(40);
            calls.complete(30);
            Mailboxes.drainUntil(h, () -> h.extractOutputValues().size() == 2, WAIT);
        }
    }

    @Test
    void anElementLargerThanTheBudgetPassesAlone() throws Exception {
        try (var h = harness(100)) {
            h.open();
            h.processElement(150, 1L);
            assertThat(calls.pending).containsKey(150);
            calls.complete(150);
            Mailboxes.drainUntil(h, () -> h.extractOutputValues().size() == 1, WAIT);
        }
    }

    @Test
    void elementsInFlightAreCheckpointedAndResubmittedWithinTheBudget() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(100)) {
            h.open();
            h.processElement(60, 1L);
            snapshot = h.snapshot(1L, 1L);
        }
        calls.pending.clear();
        try (var h = harness(100)) {
            h.initializeState(snapshot);
            h.open();
            assertThat(calls.pending).as("re-submitted after the restore").containsOnlyKeys(60);
            calls.complete(60);
            Mailboxes.drainUntil(h, () -> h.extractOutputValues().size() == 1, WAIT);
            h.processElement(70, 2L); // the restored 60 gave its bytes back
            assertThat(calls.pendingWhenInvoked.get(70)).isZero();
        }
    }
}
