package io.vlmtagger.operators.chat;

import io.vlmtagger.operators.deadletter.DeadLetters;
import io.vlmtagger.operators.stage.InferenceSettings;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.operators.testutils.FakeChatModel;
import io.vlmtagger.operators.testutils.FakeModel;
import io.vlmtagger.operators.testutils.Mailboxes;
import io.vlmtagger.operators.testutils.ManualBatchScheduler;
import io.vlmtagger.operators.testutils.RegisteredFakes;
import io.vlmtagger.operators.testutils.TestTasks;
import io.vlmtagger.schemas.ChatAnswer;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.FailureStage;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ChatOperator} with {@code chat.continuous-batching} on a fake LLaVA that has a continuous
 * loop: each question is its own submission (no batch wait), and the operator's guarantees hold
 * as on the static path: per-conversation order, timeouts and retries, dead letters, restore.
 */
class ChatOperatorContinuousTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Instant NOW = Instant.parse("2026-12-02T03:00:00Z");

    private FakeChatModel fake;
    private ManualBatchScheduler clock;
    private String fakeId;
    private String clockId;
    private final RegisteredFakes fakes = new RegisteredFakes();

    @BeforeEach
    void setUp() {
        fake = new FakeChatModel();
        fake.setContinuous(true);
        clock = new ManualBatchScheduler();
        fakeId = fakes.register(fake);
        clockId = fakes.register(clock);
    }

    @AfterEach
    void tearDown() throws Exception {
        fake.setManual(false);
        fakes.close();
    }

    private InferenceSettings.Builder settings() {
        return ChatHarnesses.settings().optMaxBatchWait(Duration.ofMillis(20)).optChatContinuousBatching(true);
    }

    private KeyedOneInputStreamOperatorTestHarness<String, ImageTask, ChatAnswer> harness(InferenceSettings settings)
            throws Exception {
        return ChatHarnesses.harness(fakes, fakeId, clockId, settings, NOW);
    }

    private static List<ChatAnswer> answers(KeyedOneInputStreamOperatorTestHarness<?, ?, ChatAnswer> h) {
        return ChatHarnesses.answers(h);
    }

    private static List<String> texts(KeyedOneInputStreamOperatorTestHarness<?, ?, ChatAnswer> h) {
        return answers(h).stream().map(a -> a.getConversationId() + a.getTurn() + ". " + a.getAnswer())
                .collect(Collectors.toList());
    }

    private static List<DeadLetter> deadLetters(KeyedOneInputStreamOperatorTestHarness<?, ?, ChatAnswer> h) {
        var side = h.getSideOutput(DeadLetters.TAG);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).collect(Collectors.toList());
    }

    @Test
    void questionsGoSinglyWithoutBatchWaitAndEachConversationKeepsItsOrder() throws Exception {
        fake.setManual(true);
        var h = harness(settings().build());
        h.open();
        assertThat(((ChatOperator) h.getOperator()).inferenceMode()).isEqualTo("continuous");
        h.processElement(TestTasks.chat("a1", "A", "cat", "q1"), 1L);
        h.processElement(TestTasks.chat("b1", "B", "dog", "q1"), 2L);
        h.processElement(TestTasks.chat("a2", "A", "cat", "q2"), 3L);
        // no clock advance: nothing waits for a batch to fill
        FakeModel.Call<?> a1 = fake.nextCall(WAIT);
        FakeModel.Call<?> b1 = fake.nextCall(WAIT);
        assertThat(a1.labels()).containsExactly("cat|q1|0");
        assertThat(b1.labels()).containsExactly("dog|q1|0");

        b1.complete(); // B's answer does not wait for A's
        Mailboxes.drainUntil(h, () -> answers(h).size() == 1, WAIT);
        assertThat(texts(h)).containsExactly("B1. dog: q1 (after 0 turns)");

        a1.complete();
        Mailboxes.drainUntil(h, () -> answers(h).size() == 2, WAIT);
        FakeModel.Call<?> a2 = fake.nextCall(WAIT);
        assertThat(a2.labels()).as("A's follow-up was sent only after A's first answer, with it in the history")
                .containsExactly("cat|q2|1");
        a2.complete();
        Mailboxes.drainUntil(h, () -> answers(h).size() == 3, WAIT);
        assertThat(texts(h)).containsExactly("B1. dog: q1 (after 0 turns)", "A1. cat: q1 (after 0 turns)",
                "A2. cat: q2 (after 1 turns)");
        assertThat(fake.batches()).allSatisfy(b -> assertThat(b).hasSize(1));
    }

    @Test
    void timeoutRetriesThenDeadLettersAndTheConversationMovesOn() throws Exception {
        fake.setManual(true);
        var h = harness(settings().optTimeout(Duration.ofMillis(100)).build());
        h.open();
        h.processElement(TestTasks.chat("slow", "c", "cat", "q1"), 1L);
        h.processElement(TestTasks.chat("next", "c", "cat", "q2"), 2L);
        assertThat(fake.nextCall(WAIT).labels()).containsExactly("cat|q1|0");
        clock.advance(Duration.ofMillis(100));
        assertThat(fake.nextCall(WAIT).labels()).as("second attempt").containsExactly("cat|q1|0");
        clock.advance(Duration.ofMillis(100));
        Mailboxes.drainUntil(h, () -> deadLetters(h).size() == 1, WAIT);
        DeadLetter dl = deadLetters(h).get(0);
        assertThat(dl.getEventId()).isEqualTo("slow");
        assertThat(dl.getReason()).isEqualTo("timeout");
        assertThat(dl.getAttempts()).isEqualTo(2);

        FakeModel.Call<?> next = fake.nextCall(WAIT);
        assertThat(next.labels()).containsExactly("cat|q2|0");
        next.complete();
        Mailboxes.drainUntil(h, () -> answers(h).size() == 1, WAIT);
        assertThat(texts(h)).containsExactly("c1. cat: q2 (after 0 turns)");
    }

    @Test
    void decodeAndModelFailuresAreDeadLettered() throws Exception {
        var h = harness(settings().build());
        h.open();
        h.processElement(TestTasks.chat("bad", "c", "corrupt-image", "what is it?"), 1L);
        h.processElement(TestTasks.chat("p", "c", "poison", "what is it?"), 2L);
        h.processElement(TestTasks.chat("ok", "c", "cat", "and now?"), 3L);
        Mailboxes.drainUntil(h, () -> answers(h).size() == 1 && deadLetters(h).size() == 2, WAIT);

        List<DeadLetter> dls = deadLetters(h);
        assertThat(dls).extracting(DeadLetter::getEventId).containsExactly("bad", "p");
        assertThat(dls.get(0).getStage()).isEqualTo(FailureStage.PREPROCESS);
        assertThat(dls.get(0).getAttempts()).as("decode errors are not retried").isEqualTo(1);
        assertThat(dls.get(1).getStage()).isEqualTo(FailureStage.INFERENCE);
        assertThat(dls.get(1).getAttempts()).isEqualTo(2);
        assertThat(texts(h)).containsExactly("c1. cat: and now? (after 0 turns)");
    }

    @Test
    void closingWithQuestionsInTheLoopIsNoFailureAndRestoreResubmitsThemInOrder() throws Exception {
        fake.setManual(true);
        InferenceSettings settings = settings().build();
        var h1 = harness(settings);
        h1.open();
        h1.processElement(TestTasks.chat("c1", "c", "cat", "q1"), 10L);
        h1.processElement(TestTasks.chat("c2", "c", "cat", "q2"), 11L);
        assertThat(fake.nextCall(WAIT).labels()).containsExactly("cat|q1|0");
        assertThat(fake.openLoops()).isEqualTo(1);
        OperatorSubtaskState snapshot = h1.snapshot(1L, 1L);
        h1.close();
        fakes.forget(h1);
        assertThat(deadLetters(h1)).as("the loop's close is not a failure").isEmpty();
        assertThat(fake.openLoops()).isZero();
        assertThat(fake.openHandles()).isZero();

        fake.setManual(false);
        var h2 = harness(settings);
        h2.initializeState(snapshot);
        h2.open();
        Mailboxes.drainUntil(h2, () -> answers(h2).size() == 2, WAIT);
        assertThat(texts(h2)).containsExactly("c1. cat: q1 (after 0 turns)", "c2. cat: q2 (after 1 turns)");
    }

    @Test
    void switchedOffTheSameModelAnswersInStaticBatches() throws Exception {
        fake.setManual(true);
        var h = harness(settings().optChatContinuousBatching(false).build());
        h.open();
        h.processElement(TestTasks.chat("a1", "A", "cat", "q1"), 1L);
        h.processElement(TestTasks.chat("b1", "B", "dog", "q1"), 2L);
        clock.advance(Duration.ofMillis(20));
        FakeModel.Call<?> batch = fake.nextCall(WAIT);
        assertThat(batch.labels()).containsExactly("cat|q1|0", "dog|q1|0");
        assertThat(fake.openLoops()).isZero();
        assertThat(((ChatOperator) h.getOperator()).inferenceMode()).isEqualTo("static");
        batch.complete();
        Mailboxes.drainUntil(h, () -> answers(h).size() == 2, WAIT);
    }
}
