package io.vlmtagger.operators.chat;

import io.vlmtagger.models.api.ChatTurn;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.VisualChatModel;
import io.vlmtagger.operators.batching.BatchScheduler;
import io.vlmtagger.operators.batching.BatchSchedulerFactory;
import io.vlmtagger.operators.deadletter.DeadLetters;
import io.vlmtagger.operators.inference.AttemptCallback;
import io.vlmtagger.operators.inference.Attempts;
import io.vlmtagger.operators.inference.EnrichedImages;
import io.vlmtagger.operators.inference.InferenceFailures;
import io.vlmtagger.operators.inference.InferenceMetrics;
import io.vlmtagger.operators.inference.InferenceSettings;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.operators.slots.ModelProvider;
import io.vlmtagger.operators.slots.ModelSpec;
import io.vlmtagger.operators.slots.SlotModel;
import io.vlmtagger.schemas.ChatAnswer;
import io.vlmtagger.schemas.DeadLetter;
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
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Visual chat on a stream keyed by conversation id ({@link ChatKeys}): reads the conversation's
 * history from keyed state when a question arrives, submits question + history + image to the
 * slot's {@link VisualChatModel} (its continuous-batching loop with {@code chat.continuous-batching},
 * else static micro-batches; see {@link ChatInference}), and when the answer comes back (as a mail
 * on the task thread, with the key set back) appends the turn to the history and emits.
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
public class ChatOperator extends AbstractStreamOperator<ChatAnswer>
        implements OneInputStreamOperator<ImageTask, ChatAnswer>, BoundedOneInput {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ChatOperator.class);

    /** Side output: the answered question as an enriched image (captions topic, search index). */
    public static final OutputTag<EnrichedImage> ENRICHED =
            new OutputTag<>("chat-enriched", TypeInformation.of(EnrichedImage.class));

    static final String HISTORY_STATE = "chat-history";
    static final String TURNS_STATE = "chat-turns";
    static final String PENDING_STATE = "chat-pending";

    private final ModelProvider<VisualChatModel> modelProvider;
    private final ModelSpec modelSpec;
    private final InferenceSettings settings;
    private final BatchSchedulerFactory schedulerFactory;
    private final Clock clock;
    private final transient MailboxExecutor mailbox;

    private transient ListState<ConversationTurn> history;
    private transient ValueState<Integer> turns;
    private transient ListState<PendingChat> pendingState;
    private transient SlotModel<VisualChatModel> slot;
    private transient BatchScheduler scheduler;
    private transient ChatInference inference;
    private transient InferenceMetrics metrics;
    /** Per conversation: the question with the model first, then those waiting. Task thread only. */
    private transient Map<String, ArrayDeque<PendingChat>> conversations;
    private transient int pending;
    private transient List<PendingChat> restored;
    private transient boolean closed;

    ChatOperator(StreamOperatorParameters<ChatAnswer> parameters, ChatOperatorFactory factory, MailboxExecutor mailbox) {
        super(parameters);
        this.modelProvider = factory.modelProvider;
        this.modelSpec = factory.modelSpec;
        this.settings = factory.settings;
        this.schedulerFactory = factory.schedulerFactory;
        this.clock = factory.clock;
        this.mailbox = mailbox;
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
                new ListStateDescriptor<>(PENDING_STATE, TypeInformation.of(PendingChat.class)));
        restored = new ArrayList<>();
        if (context.isRestored()) {
            List<String> keys;
            try (Stream<Object> s = getKeyedStateBackend().getKeys(PENDING_STATE, VoidNamespace.INSTANCE)) {
                keys = s.map(String.class::cast).collect(Collectors.toList());
            }
            for (String key : keys) {
                setCurrentKey(key);
                for (PendingChat p : pendingState.get()) {
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
        metrics = new InferenceMetrics(getMetricGroup());
        slot = SlotModel.acquire(modelProvider, modelSpec, getRuntimeContext(), settings.gpuResourceName(),
                settings.devices(), settings.deviceConcurrency());
        metrics.setModelLoadTimeMs(slot.loadTimeMs());
        String name = "chat-" + slot.device().replace(":", "") + "-"
                + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        scheduler = schedulerFactory.create(name);
        VisualChatModel model = slot.model();
        inference = settings.chatContinuousBatching()
                ? ContinuousChatInference.openOrNull(name, model, settings, scheduler) : null;
        if (inference == null) {
            if (settings.chatContinuousBatching()) {
                LOG.info("chat model {} has no continuous-batching loop: {} answers in static batches",
                        model.info().name(), name);
            }
            inference = new BatchedChatInference(name, model, slot, settings, scheduler, metrics);
        }
        LOG.info("{} answers questions in {} batches", name, inference.mode());
        metrics.setQueueDepth(inference::queueDepth);
        List<PendingChat> toResubmit = restored;
        restored = List.of();
        for (PendingChat p : toResubmit) {
            accept(p);
        }
    }

    /**
     * Backpressure like Flink's AsyncWaitOperator: with {@code inference.capacity} questions in flight
     * or waiting, the task thread processes answers (mails) until one is done before accepting more.
     */
    @Override
    public void processElement(StreamRecord<ImageTask> element) throws Exception {
        while (pending >= settings.capacity()) {
            mailbox.yield();
        }
        accept(new PendingChat(element.getValue(), element.getTimestamp(), element.hasTimestamp()));
    }

    /** Queues behind the conversation's current question, or starts it. */
    private void accept(PendingChat p) {
        String key = ChatKeys.conversationId(p.task);
        ArrayDeque<PendingChat> queue = conversations.computeIfAbsent(key, k -> new ArrayDeque<>());
        queue.addLast(p);
        pending++;
        if (queue.size() == 1) {
            start(key, p);
        }
    }

    private void start(String key, PendingChat p) {
        setCurrentKey(key);
        String question = p.task.event.getQuestion();
        if (question == null || question.isBlank()) {
            emitDeadLetter(p, InferenceFailures.deadLetter(p.task, FailureStage.DECODE, "missing_question",
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
        ChatJob job = new ChatJob(p.task, question, turnsSoFar);
        new Attempts<>(inference, job, settings.timeout(), settings.maxAttempts(), metrics::onRetry,
                new AttemptCallback<GenerationResult>() {
                    @Override
                    public void succeeded(GenerationResult result, int attempts) {
                        mailbox.execute(() -> onAnswer(key, p, question, result), "chat answer for %s", key);
                    }

                    @Override
                    public void failed(Throwable failure, int attempts) {
                        mailbox.execute(() -> onFailure(key, p, failure, attempts), "chat failure for %s", key);
                    }
                }).start();
    }

    private void onAnswer(String key, PendingChat p, String question, GenerationResult result) throws Exception {
        if (closed) {
            return;
        }
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

        metrics.onResult(result.newTokens());
        var model = slot.model().info();
        ChatAnswer answer = ChatAnswer.newBuilder()
                .setEventId(p.task.eventId())
                .setConversationId(key)
                .setTurn(turn)
                .setQuestion(question)
                .setAnswer(result.text())
                .setImageSha256(p.task.imageSha256 == null ? "" : p.task.imageSha256)
                .setModel(model.name())
                .setRevision(model.revision())
                .setAnsweredAt(clock.instant())
                .setAttributes(p.task.event.getAttributes() == null
                        ? new HashMap<>() : new HashMap<>(p.task.event.getAttributes()))
                .build();
        output.collect(record(p, answer));
        output.collect(ENRICHED, record(p, EnrichedImages.answered(p.task, question, result, model, clock.instant())));
        finish(key);
    }

    private void onFailure(String key, PendingChat p, Throwable failure, int attempts) {
        if (closed) {
            return;
        }
        emitDeadLetter(p, InferenceFailures.deadLetter(p.task, failure, attempts, clock.instant()));
        finish(key);
    }

    private void emitDeadLetter(PendingChat p, DeadLetter deadLetter) {
        metrics.onDeadLetter(deadLetter.getStage());
        output.collect(DeadLetters.TAG, record(p, deadLetter));
    }

    /** The conversation's current question is done: start its next one, if any. */
    private void finish(String key) {
        ArrayDeque<PendingChat> queue = conversations.get(key);
        queue.pollFirst();
        pending--;
        if (queue.isEmpty()) {
            conversations.remove(key);
        } else {
            start(key, queue.peekFirst());
        }
    }

    private static <T> StreamRecord<T> record(PendingChat p, T value) {
        return p.hasTimestamp ? new StreamRecord<>(value, p.timestamp) : new StreamRecord<>(value);
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
        for (Map.Entry<String, ArrayDeque<PendingChat>> e : conversations.entrySet()) {
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
        return inference.mode();
    }

    /** Questions in flight or waiting, all conversations. */
    int pendingQuestions() {
        return pending;
    }

    @Override
    public void close() throws Exception {
        closed = true;
        try {
            if (inference != null) {
                inference.close();
            }
            if (scheduler != null) {
                scheduler.close();
            }
            if (slot != null) {
                slot.close();
                slot = null;
            }
        } finally {
            super.close();
        }
    }
}
