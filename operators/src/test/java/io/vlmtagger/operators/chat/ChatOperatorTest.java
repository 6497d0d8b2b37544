package io.vlmtagger.operators.chat;

import io.vlmtagger.models.api.ChatTurn;
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
import io.vlmtagger.schemas.EnrichedImage;
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

/** The keyed chat operator through Flink's keyed operator test harness, with a controllable fake LLaVA. */
class ChatOperatorTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Instant NOW = Instant.parse("2026-11-29T03:00:00Z");

    private FakeChatModel fake;
    private ManualBatchScheduler clock;
    private String fakeId;
    private String clockId;
    private final RegisteredFakes fakes = new RegisteredFakes();

    @BeforeEach
    void setUp() {
        fake = new FakeChatModel();
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
        return ChatHarnesses.settings();
    }

    private KeyedOneInputStreamOperatorTestHarness<String, ImageTask, ChatAnswer> harness(InferenceSettings settings)
            throws Exception {
        return ChatHarnesses.harness(fakes, fakeId, clockId, settings, NOW);
    }

    private static List<ChatAnswer> answers(KeyedOneInputStreamOperatorTestHarness<?, ?, ChatAnswer> h) {
        return ChatHarnesses.answers(h);
    }

    private static List<String> texts(KeyedOneInputStreamOperatorTestHarness<?, ?, ChatAnswer> h, String conversation) {
        return answers(h).stream().filter(a -> a.getConversationId().equals(conversation))
                .map(a -> a.getTurn() + ". " + a.getAnswer()).collect(Collectors.toList());
    }

    private static List<DeadLetter> deadLetters(KeyedOneInputStreamOperatorTestHarness<?, ?, ChatAnswer> h) {
        var side = h.getSideOutput(DeadLetters.TAG);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).collect(Collectors.toList());
    }

    @Test
    void secondQuestionSeesTheFirstTurnInItsHistory() throws Exception {
        var h = harness(settings().build());
        h.open();
        h.processElement(TestTasks.chat("e1", "c1", "cat", "what is it?"), 100L);
        h.processElement(TestTasks.chat("e2", "c1", "cat", "what colour?"), 200L);
        Mailboxes.drainUntil(h, () -> answers(h).size() == 2, WAIT);

        assertThat(texts(h, "c1")).containsExactly(
                "1. cat: what is it? (after 0 turns)",
                "2. cat: what colour? (after 1 turns)");
        assertThat(fake.batches()).as("the follow-up waited for the first answer")
                .containsExactly(List.of("cat|what is it?|0"), List.of("cat|what colour?|1"));
        ChatAnswer second = answers(h).get(1);
        assertThat(second.getEventId()).isEqualTo("e2");
        assertThat(second.getModel()).isEqualTo("fake-llava");
        assertThat(second.getRevision()).isEqualTo("rev-7");
        assertThat(second.getAnsweredAt()).isEqualTo(NOW);
        assertThat(second.getImageSha256()).isEqualTo(TestTasks.sha256("cat".getBytes()));
        assertThat(second.getAttributes()).containsEntry("tenant", "t1");
        assertThat(h.getOutput().stream().filter(o -> o instanceof StreamRecord)
                .map(o -> ((StreamRecord<?>) o).getTimestamp())).containsExactly(100L, 200L);

        List<EnrichedImage> enriched = h.getSideOutput(ChatOperator.ENRICHED).stream()
                .map(StreamRecord::getValue).collect(Collectors.toList());
        assertThat(enriched).hasSize(2);
        assertThat(enriched.get(0).getQuestion()).isEqualTo("what is it?");
        assertThat(enriched.get(0).getAnswer()).isEqualTo("cat: what is it? (after 0 turns)");
        assertThat(enriched.get(0).getModels().get(0).getStage()).isEqualTo("chat");
    }

    @Test
    void conversationsBatchTogetherButEachKeepsItsOrder() throws Exception {
        fake.setManual(true);
        var h = harness(settings().optMaxBatchWait(Duration.ofMillis(20)).build());
        h.open();
        h.processElement(TestTasks.chat("a1", "A", "cat", "q1"), 1L);
        h.processElement(TestTasks.chat("b1", "B", "dog", "q1"), 2L);
        h.processElement(TestTasks.chat("a2", "A", "cat", "q2"), 3L);
        h.processElement(TestTasks.chat("b2", "B", "dog", "q2"), 4L);
        h.processElement(TestTasks.chat("a3", "A", "cat", "q3"), 5L);
        clock.advance(Duration.ofMillis(20));
        FakeModel.Call<?> first = fake.nextCall(WAIT);
        assertThat(first.labels()).containsExactly("cat|q1|0", "dog|q1|0");
        first.complete();
        Mailboxes.drainUntil(h, () -> answers(h).size() == 2, WAIT);

        clock.advance(Duration.ofMillis(20));
        FakeModel.Call<?> second = fake.nextCall(WAIT);
        assertThat(second.labels()).containsExactly("cat|q2|1", "dog|q2|1");
        assertThat(FakeChatModel.historyOf(castChat(second), 0))
                .containsExactly(new ChatTurn("q1", "cat: q1 (after 0 turns)"));
        second.complete();
        Mailboxes.drainUntil(h, () -> answers(h).size() == 4, WAIT);

        clock.advance(Duration.ofMillis(20));
        FakeModel.Call<?> third = fake.nextCall(WAIT);
        assertThat(third.labels()).containsExactly("cat|q3|2");
        third.complete();
        Mailboxes.drainUntil(h, () -> answers(h).size() == 5, WAIT);
        assertThat(texts(h, "A")).containsExactly("1. cat: q1 (after 0 turns)", "2. cat: q2 (after 1 turns)",
                "3. cat: q3 (after 2 turns)");
        assertThat(texts(h, "B")).containsExactly("1. dog: q1 (after 0 turns)", "2. dog: q2 (after 1 turns)");
    }

    @SuppressWarnings("unchecked")
    private static FakeModel.Call<io.vlmtagger.models.api.ChatRequest> castChat(FakeModel.Call<?> call) {
        return (FakeModel.Call<io.vlmtagger.models.api.ChatRequest>) call;
    }

    @Test
    void historyExpiresAfterTheTtlAndIsBoundedToMaxTurns() throws Exception {
        var h = harness(settings().optChatHistoryMaxTurns(2).build());
        h.open();
        h.setStateTtlProcessingTime(0);
        for (int i = 1; i <= 4; i++) {
            h.processElement(TestTasks.chat("e" + i, "c", "owl", "q" + i), i);
        }
        Mailboxes.drainUntil(h, () -> answers(h).size() == 4, WAIT);
        assertThat(texts(h, "c")).containsExactly("1. owl: q1 (after 0 turns)", "2. owl: q2 (after 1 turns)",
                "3. owl: q3 (after 2 turns)", "4. owl: q4 (after 2 turns)");

        h.setStateTtlProcessingTime(Duration.ofMinutes(10).toMillis() - 1);
        h.processElement(TestTasks.chat("e5", "c", "owl", "q5"), 5L);
        Mailboxes.drainUntil(h, () -> answers(h).size() == 5, WAIT);
        assertThat(answers(h).get(4).getAnswer()).as("just inside the TTL").isEqualTo("owl: q5 (after 2 turns)");

        h.setStateTtlProcessingTime(Duration.ofMinutes(10).toMillis() * 2);
        h.processElement(TestTasks.chat("e6", "c", "owl", "q6"), 6L);
        Mailboxes.drainUntil(h, () -> answers(h).size() == 6, WAIT);
        ChatAnswer afterExpiry = answers(h).get(5);
        assertThat(afterExpiry.getAnswer()).isEqualTo("owl: q6 (after 0 turns)");
        assertThat(afterExpiry.getTurn()).as("the turn counter expired with the history").isEqualTo(1);
    }

    @Test
    void failuresGoToTheDeadLetterSideOutputAndTheConversationMovesOn() throws Exception {
        var h = harness(settings().build());
        h.open();
        h.processElement(TestTasks.chat("bad", "c", "corrupt-image", "what is it?"), 1L);
        h.processElement(TestTasks.chat("p", "c", "poison", "what is it?"), 2L);
        h.processElement(TestTasks.chat("noq", "c", "cat", null), 3L);
        h.processElement(TestTasks.chat("ok", "c", "cat", "and now?"), 4L);
        Mailboxes.drainUntil(h, () -> answers(h).size() == 1 && deadLetters(h).size() == 3, WAIT);

        assertThat(texts(h, "c")).containsExactly("1. cat: and now? (after 0 turns)");
        List<DeadLetter> dls = deadLetters(h);
        assertThat(dls).extracting(DeadLetter::getEventId).containsExactly("bad", "p", "noq");
        assertThat(dls.get(0).getStage()).isEqualTo(FailureStage.PREPROCESS);
        assertThat(dls.get(0).getReason()).isEqualTo("corrupt_image");
        assertThat(dls.get(1).getStage()).isEqualTo(FailureStage.INFERENCE);
        assertThat(dls.get(1).getAttempts()).isEqualTo(2);
        assertThat(dls.get(2).getReason()).isEqualTo("missing_question");
    }

    @Test
    void pendingQuestionsAreResubmittedInOrderAfterRestore() throws Exception {
        InferenceSettings settings = settings().build();
        var h1 = harness(settings);
        h1.open();
        h1.processElement(TestTasks.chat("d1", "done", "dog", "q1"), 1L);
        Mailboxes.drainUntil(h1, () -> answers(h1).size() == 1, WAIT);
        assertThat(fake.nextCall(WAIT).labels()).containsExactly("dog|q1|0");

        fake.setManual(true);
        h1.processElement(TestTasks.chat("c1", "c", "cat", "q1"), 10L);
        h1.processElement(TestTasks.chat("c2", "c", "cat", "q2"), 11L);
        FakeModel.Call<?> running = fake.nextCall(WAIT);
        assertThat(running.labels()).containsExactly("cat|q1|0");
        OperatorSubtaskState snapshot = h1.snapshot(1L, 1L);
        h1.close();
        fakes.forget(h1);
        assertThat(answers(h1)).hasSize(1);
        assertThat(deadLetters(h1)).as("shutdown is not a failure").isEmpty();
        assertThat(fake.openHandles()).isZero();

        fake.setManual(false);
        var h2 = harness(settings);
        h2.initializeState(snapshot);
        h2.open();
        h2.processElement(TestTasks.chat("d2", "done", "dog", "q2"), 12L);
        Mailboxes.drainUntil(h2, () -> answers(h2).size() == 3, WAIT);
        assertThat(texts(h2, "c")).containsExactly("1. cat: q1 (after 0 turns)", "2. cat: q2 (after 1 turns)");
        assertThat(texts(h2, "done")).as("history restored, the answered question not re-run")
                .containsExactly("2. dog: q2 (after 1 turns)");
        assertThat(h2.getOutput().stream().filter(o -> o instanceof StreamRecord)
                .map(o -> ((StreamRecord<?>) o).getTimestamp())).containsExactlyInAnyOrder(10L, 11L, 12L);
    }

    @Test
    void fullCapacityMakesTheTaskThreadTakeAnswersBeforeAcceptingMore() throws Exception {
        var h = harness(settings().optMaxBatchSize(2).optCapacity(2).build());
        h.open();
        h.processElement(TestTasks.chat("a", "A", "cat", "q"), 1L);
        h.processElement(TestTasks.chat("b", "B", "dog", "q"), 2L);
        assertThat(answers(h)).as("answers wait in the mailbox until the task thread takes them").isEmpty();
        h.processElement(TestTasks.chat("c", "C", "owl", "q"), 3L);
        assertThat(answers(h)).as("the third question had to wait for an answer").isNotEmpty();
        Mailboxes.drainUntil(h, () -> answers(h).size() == 3, WAIT);
    }

    @Test
    void endInputWaitsForEveryQuestion() throws Exception {
        var h = harness(settings().optMaxBatchWait(Duration.ofMillis(5)).build());
        h.open();
        h.processElement(TestTasks.chat("e1", "c1", "cat", "q1"), 1L);
        h.processElement(TestTasks.chat("e2", "c1", "cat", "q2"), 2L);
        Thread timer = new Thread(() -> {
            for (int i = 0; i < 200; i++) {
                clock.advance(Duration.ofMillis(5));
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        timer.start();
        h.endInput();
        timer.interrupt();
        assertThat(answers(h)).hasSize(2);
    }
}
