package io.vlmtagger.operators.chat;

import io.vlmtagger.models.api.ChatTurn;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.VisualChatModel;
import io.vlmtagger.operators.deadletter.DeadLetters;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.operators.records.TimestampedTask;
import io.vlmtagger.operators.stage.InferenceDeadLetters;
import io.vlmtagger.operators.stage.InferenceOperator;
import io.vlmtagger.operators.stage.InferenceSettings;
import io.vlmtagger.schemas.ChatAnswer;
import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.FailureStage;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Visual chat on a stream keyed by conversation id ({@link ChatKeys}). This operator keeps what is
 * Flink's job: the conversation's history in keyed state with a TTL, the order of questions within
 * a conversation, and the questions in flight across checkpoints. The model's side (batching or
 * the model's continuous loop, the device, retries, metrics) is the shared inference runtime's,
 * with the chat stage's {@link ChatHandler}; the outputs are built by {@link ChatResults}. When a
 * question arrives its history is read and question + history + image go to the runtime; when the
 * answer comes back (as a mail on the task thread, with the key set back) the turn is appended to
 * the history and emitted.
 *
 * <p>Why an operator and not an async function: an async function cannot read keyed state, and
 * Flink 2 has no iterations to feed answers back. The operator keeps the async benefits itself:
 * the task thread never waits for the model; completions arrive through the {@link
 * MailboxExecutor}.
 *
 * <p>Per-conversation FIFO: while a question of a conversation is with the model, later questions
 * of the same conversation wait in memory, so each one sees the answers before it. Questions of
 * different conversations are batched together freely (and, in continuous mode, join each
 * other's running decode batch).
 *
 * <p>Outputs: the main output is the {@link ChatAnswer} (chat-answers topic, keyed by
 * conversation id); side output {@link #ENRICHED} carries an {@link EnrichedImage} with question
 * and answer for the captions topic and the search index; failures go to {@link DeadLetters#TAG}
 * (stage PREPROCESS for undecodable images, INFERENCE after the last attempt, DECODE for an event
 * without a question). Answers keep their input's timestamp; watermarks are forwarded as they
 * come, so answers may be late for event-time consumers (none of ours is).
 *
 * <p>History: the last {@code chat.history.max-turns} turns, expiring {@code chat.history.ttl}
 * after the last write (processing time). Checkpoints: questions in flight and waiting are written
 * to keyed state on snapshot and re-submitted, in order, after a restore (like Flink's
 * AsyncWaitOperator); keyed state also makes them follow their key groups when rescaling.
 */
public class ChatOperator extends InferenceOperator<VisualChatModel, ChatInput, GenerationResult, ChatAnswer>
        implements OneInputStreamOperator<ImageTask, ChatAnswer>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    /** Side output: the answered question as an enriched image (captions topic, search index). */
    public static final OutputTag<EnrichedImage> ENRICHED =
            new OutputTag<>("chat-enriched", TypeInformation.of(EnrichedImage.class));

    static final String HISTORY_STATE = "chat-history";
    static final String TURNS_STATE = "chat-turns";
    static final String PENDING_STATE = "chat-pending";

    private final ChatStageConfig config;
    private final InferenceSettings settings;
    private final Clock clock;

    private transient ListState<ConversationTurn> history;
    private transient ValueState<Integer> turns;
    private transient ListState<TimestampedTask> pendingState;
    /** Per conversation: the question with the model first, then those waiting. Task thread only. */
    private transient Map<String, ArrayDeque<TimestampedTask>> conversations;
    private transient List<TimestampedTask> restored;

    ChatOperator(StreamOperatorParameters<ChatAnswer> parameters, ChatStageConfig config, MailboxExecutor mailbox) {
        super(parameters, mailbox);
        this.config = config;
        this.settings = config.settings();
        this.clock = config.clock();
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        StateTtlConfig ttl = StateTtlConfig.newBuilder(settings.chatHistoryTtl())
                .updateTtlOnCreateAndWrite()
                .neverReturnExpired()
                .build();
        ListStateDescriptor<ConversationTurn> historyDescriptor =
                new ListStateDescriptor<>(HISTORY_STATE, TypeInformation.of(ConversationTurn.class));
        historyDescriptor.enableTimeToLive(ttl);
        ValueStateDescriptor<Integer> turnsDescriptor = new ValueStateDescriptor<>(TURNS_STATE, Integer.class);
        turnsDescriptor.enableTimeToLive(ttl);
        history = context.getKeyedStateStore().getListState(historyDescriptor);
        turns = context.getKeyedStateStore().getState(turnsDescriptor);
        pendingState = context.getKeyedStateStore().getListState(
                new ListStateDescriptor<>(PENDING_STATE, TypeInformation.of(TimestampedTask.class)));
        restored = new ArrayList<>();
        if (context.isRestored()) {
            List<String> keys;
            try (Stream<Object> s = getKeyedStateBackend().getKeys(PENDING_STATE, VoidNamespace.INSTANCE)) {
                keys = s.map(String.class::cast).collect(Collectors.toList());
            }
            for (String key : keys) {
                setCurrentKey(key);
                for (TimestampedTask p : pendingState.get()) {
                    restored.add(p);
                }
                pendingState.clear();
            }
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        conversations = new LinkedHashMap<>();
        openStage("chat", config.modelProvider(), config.modelSpec(), settings, config.schedulerFactory(),
                model -> ChatHandler.runtime(model, settings));
        List<TimestampedTask> toResubmit = restored;
        restored = List.of();
        for (TimestampedTask p : toResubmit) {
            budget.admit(p.task.sizeBytes());
            accept(p);
        }
    }

    /**
     * Backpressure like Flink's AsyncWaitOperator: with {@code inference.capacity} questions or
     * {@code inference.max-in-flight-bytes} in flight or waiting, the task thread processes answers
     * (mails) until there is room before accepting more.
     */
    @Override
    public void processElement(StreamRecord<ImageTask> element) throws Exception {
        budget.admit(element.getValue().sizeBytes());
        accept(new TimestampedTask(element.getValue(), element.getTimestamp(), element.hasTimestamp()));
    }

    /** Queues behind the conversation's current question, or starts it. */
    private void accept(TimestampedTask p) {
        String key = ChatKeys.conversationId(p.task);
        ArrayDeque<TimestampedTask> queue = conversations.computeIfAbsent(key, k -> new ArrayDeque<>());
        queue.addLast(p);
        if (queue.size() == 1) {
            start(key, p);
        }
    }

    private void start(String key, TimestampedTask p) {
        setCurrentKey(key);
        String question = p.task.event.getQuestion();
        if (question == null || question.isBlank()) {
            emitDeadLetter(p, InferenceDeadLetters.deadLetter(p.task, FailureStage.DECODE, "missing_question",
                    null, "a CHAT event needs a question", 1, clock.instant()));
            finish(key);
            return;
        }
        List<ChatTurn> turnsSoFar = new ArrayList<>();
        try {
            for (ConversationTurn t : history.get()) {
                turnsSoFar.add(t.toChatTurn());
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the history of conversation " + key, e);
        }
        submit(new ChatInput(p.task, question, turnsSoFar), "chat", key, result -> onAnswer(key, p, question, result),
                (failure, attempts) -> onFailure(key, p, failure, attempts));
    }

    private void onAnswer(String key, TimestampedTask p, String question, GenerationResult result) throws Exception {
        setCurrentKey(key);
        List<ConversationTurn> kept = new ArrayList<>();
        for (ConversationTurn t : history.get()) {
            kept.add(t);
        }
        long now = clock.millis();
        kept.add(new ConversationTurn(p.task.eventId(), question, result.text(), now));
        int max = settings.chatHistoryMaxTurns();
        history.update(new ArrayList<>(kept.subList(Math.max(0, kept.size() - max), kept.size())));
        Integer previous = turns.value();
        int turn = (previous == null ? 0 : previous) + 1;
        turns.update(turn);

        var model = stage.model().info();
        output.collect(p.record(ChatResults.answer(p.task, key, turn, question, result, model, clock.instant())));
        output.collect(ENRICHED, p.record(ChatResults.enriched(p.task, question, result, model, clock.instant())));
        finish(key);
    }

    private void onFailure(String key, TimestampedTask p, Throwable failure, int attempts) {
        emitDeadLetter(p, InferenceDeadLetters.deadLetter(p.task, failure, attempts, clock.instant()));
        finish(key);
    }

    /** The conversation's current question is done: start its next one, if any. */
    private void finish(String key) {
        ArrayDeque<TimestampedTask> queue = conversations.get(key);
        TimestampedTask done = queue.pollFirst();
        budget.release(done.task.sizeBytes());
        if (queue.isEmpty()) {
            conversations.remove(key);
        } else {
            start(key, queue.peekFirst());
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        // Keys whose questions all finished since the last snapshot may still hold entries: clear them.
        List<String> stale;
        try (Stream<Object> s = getKeyedStateBackend().getKeys(PENDING_STATE, VoidNamespace.INSTANCE)) {
            stale = s.map(String.class::cast).filter(k -> !conversations.containsKey(k)).collect(Collectors.toList());
        }
        Object currentKey = getCurrentKey();
        for (String key : stale) {
            setCurrentKey(key);
            pendingState.clear();
        }
        for (Map.Entry<String, ArrayDeque<TimestampedTask>> e : conversations.entrySet()) {
            setCurrentKey(e.getKey());
            pendingState.update(new ArrayList<>(e.getValue()));
        }
        if (currentKey != null) {
            setCurrentKey(currentKey);
        }
    }

    /** Bounded input: wait for every question to be answered before finishing. */
    @Override
    public void endInput() throws Exception {
        while (!conversations.isEmpty()) {
            mailbox.yield();
        }
    }

    /** "static" or "continuous" once open; for tests. */
    String inferenceMode() {
        return stage.runtime().mode();
    }

}
