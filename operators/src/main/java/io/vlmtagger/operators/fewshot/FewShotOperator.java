package io.vlmtagger.operators.fewshot;

import io.vlmtagger.models.api.FewShotAnswer;
import io.vlmtagger.models.api.FewShotTagger;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.operators.records.TimestampedTask;
import io.vlmtagger.operators.runtime.Failures;
import io.vlmtagger.operators.runtime.InferenceException;
import io.vlmtagger.operators.stage.InferenceDeadLetters;
import io.vlmtagger.operators.stage.InferenceOperator;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.Exemplar;
import io.vlmtagger.schemas.FailureStage;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Few-shot tagging: input 1 are FEW_SHOT_TAGS events after the fetch stage, input 2 the published
 * exemplars, broadcast to every subtask. The model's side (batching, the device, deadlines,
 * retries, poison isolation, metrics) is the shared inference runtime's, with the stage's {@link
 * FewShotHandler}; this operator keeps what is Flink's job: the exemplars in broadcast state, the
 * events in flight across checkpoints, and the in-flight budget.
 *
 * <p>Exemplars: per label set, the latest {@code maxExemplarsPerLabelSet} by {@code publishedAt},
 * replaced by {@code exemplarId}, removed by tombstones ({@code deleted}); at most {@code
 * maxLabelSets} label sets (exemplars of further sets are rejected and counted). Every subtask
 * applies the same updates, so all hold the same state, which Flink checkpoints and restores;
 * publishing new exemplars changes later events' tags without a restart. Each applied update
 * gives the label set a new version, the key under which the model's prepared features of its
 * exemplars are cached ({@link ExemplarCache}): prepared once per version, not per event.
 *
 * <p>Events: the label set is the event attribute {@code labelSetAttribute} (default {@value
 * #DEFAULT_LABEL_SET_ATTRIBUTE}) or the default label set; the event is submitted with its label
 * set's exemplars as they are when it arrives, and its answer becomes an {@link EnrichedImage}
 * (stage {@value #STAGE}) with attributes {@code fewshot.label_set} and {@code fewshot.exemplars}.
 * An event with no label set or no exemplars is dead-lettered at once; an undecodable image
 * becomes {@code PREPROCESS/few_shot_image_decode}, a failing model {@code
 * INFERENCE/few_shot_inference} (timeouts and out-of-memory keep the runtime's reasons), after the
 * runtime's attempts. Answers come back as mails on the task thread; the operator takes no new
 * event while {@code inference.capacity} events or {@code inference.max-in-flight-bytes} are in
 * flight (it runs mails instead: backpressure). Broadcast elements and events are not ordered
 * against each other: an event racing an exemplar update may see the state before or after it.
 */
public class FewShotOperator extends InferenceOperator<FewShotTagger, FewShotInput, FewShotAnswer, EnrichedImage>
        implements TwoInputStreamOperator<ImageTask, Exemplar, EnrichedImage>, BoundedMultiInput {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(FewShotOperator.class);

    public static final String STAGE = "few_shot";
    public static final String DEFAULT_LABEL_SET_ATTRIBUTE = "fewshot.label_set";
    public static final String ATTR_LABEL_SET = "fewshot.label_set";
    public static final String ATTR_EXEMPLARS = "fewshot.exemplars";
    static final String REASON_IMAGE_DECODE = "few_shot_image_decode";
    static final String REASON_INFERENCE = "few_shot_inference";

    /** The broadcast state: label set -> exemplars, oldest first (values serialized with Avro). */
    public static final MapStateDescriptor<String, List<Exemplar>> EXEMPLARS = new MapStateDescriptor<>(
            "few-shot-exemplars", Types.STRING, new ListTypeInfo<>(new AvroTypeInfo<>(Exemplar.class)));
    static final String PENDING_STATE = "few-shot-pending";

    private final FewShotStageConfig config;

    private transient BroadcastState<String, List<Exemplar>> exemplars;
    private transient ListState<TimestampedTask> pendingState;
    private transient List<TimestampedTask> restored;
    private transient ExemplarCache cache;
    /** Events in flight, by identity. Task thread only. */
    private transient Set<TimestampedTask> pending;
    /** Per label set: how many updates this instance applied since it opened (part of the version key). */
    private transient Map<String, Long> versions;
    private transient Counter noExemplars;
    private transient Counter exemplarsApplied;
    private transient Counter exemplarsRejected;

    FewShotOperator(StreamOperatorParameters<EnrichedImage> parameters, FewShotStageConfig config,
            MailboxExecutor mailbox) {
        super(parameters, mailbox);
        this.config = config;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        exemplars = context.getOperatorStateStore().getBroadcastState(EXEMPLARS);
        pendingState = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>(PENDING_STATE, TypeInformation.of(TimestampedTask.class)));
        restored = new ArrayList<>();
        if (context.isRestored()) {
            for (TimestampedTask t : pendingState.get()) {
                restored.add(t);
            }
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        pending = Collections.newSetFromMap(new IdentityHashMap<>());
        versions = new HashMap<>();
        MetricGroup group = getMetricGroup().addGroup("fewshot");
        noExemplars = group.counter("fewshot_events_without_exemplars_total");
        exemplarsApplied = group.counter("fewshot_exemplars_applied_total");
        exemplarsRejected = group.counter("fewshot_exemplars_rejected_total");
        cache = new ExemplarCache(config.exemplarCacheBytes());
        group.gauge("fewshot_exemplar_sets_prepared_total", (Gauge<Long>) cache.misses::get);
        group.gauge("fewshot_exemplar_cache_hits_total", (Gauge<Long>) cache.hits::get);
        group.gauge("fewshot_exemplar_cache_bytes", (Gauge<Long>) cache.bytes::get);
        openStage("few-shot", config.provider(), config.spec(), config.settings(), config.schedulerFactory(),
                model -> FewShotHandler.runtime(model, cache));
        List<TimestampedTask> toResubmit = restored;
        restored = List.of();
        for (TimestampedTask t : toResubmit) {
            accept(t);
        }
    }

    @Override
    public void processElement1(StreamRecord<ImageTask> element) throws Exception {
        accept(new TimestampedTask(element.getValue(), element.getTimestamp(), element.hasTimestamp()));
    }

    private void accept(TimestampedTask t) throws Exception {
        String labelSet = labelSetOf(t.task);
        if (labelSet == null) {
            noExemplars.inc();
            emitDeadLetter(t, deadLetter(t.task, "few_shot_no_label_set", "the event names no label set: set the"
                    + " attribute " + config.labelSetAttribute() + " (or configure a default label set)"));
            return;
        }
        List<Exemplar> current = exemplars.get(labelSet);
        if (current == null || current.isEmpty()) {
            noExemplars.inc();
            emitDeadLetter(t, deadLetter(t.task, "few_shot_no_exemplars", "label set '" + labelSet
                    + "' has no exemplars: publish some to the exemplars topic first"));
            return;
        }
        budget.admit(t.task.sizeBytes());
        pending.add(t);
        String version = labelSet + "#" + versions.getOrDefault(labelSet, 0L);
        submit(new FewShotInput(t.task, current, version), "few-shot", t.task.eventId(),
                answer -> onAnswer(t, labelSet, current.size(), answer), (failure, attempts) -> onFailure(t, failure, attempts));
    }

    private void onAnswer(TimestampedTask t, String labelSet, int exemplarCount, FewShotAnswer answer) {
        output.collect(t.record(FewShotResults.enriched(t.task, answer, labelSet, exemplarCount,
                stage.model().info(), config.clock().instant())));
        finish(t);
    }

    private void onFailure(TimestampedTask t, Throwable failure, int attempts) {
        emitDeadLetter(t, InferenceDeadLetters.deadLetter(t.task, failure, attempts, config.clock().instant(),
                e -> e.phase() == InferenceException.Phase.PREPROCESS ? REASON_IMAGE_DECODE
                        : e.reason().equals(Failures.REASON_INFERENCE_FAILED) ? REASON_INFERENCE : e.reason()));
        finish(t);
    }

    private void finish(TimestampedTask t) {
        if (pending.remove(t)) {
            budget.release(t.task.sizeBytes());
        }
    }

    private DeadLetter deadLetter(ImageTask task, String reason, String message) {
        return InferenceDeadLetters.deadLetter(task, FailureStage.INFERENCE, reason, null, message, 1,
                config.clock().instant());
    }

    @Override
    public void processElement2(StreamRecord<Exemplar> element) throws Exception {
        Exemplar exemplar = element.getValue();
        String invalid = ExemplarSets.invalidReason(exemplar);
        if (invalid != null) {
            exemplarsRejected.inc();
            LOG.warn("ignoring exemplar {} of label set {}: {}", exemplar.getExemplarId(), exemplar.getLabelSet(),
                    invalid);
            return;
        }
        String labelSet = exemplar.getLabelSet();
        List<Exemplar> current = exemplars.get(labelSet);
        if (current == null && !exemplar.getDeleted() && countLabelSets() >= config.maxLabelSets()) {
            exemplarsRejected.inc();
            LOG.warn("ignoring exemplar {}: already {} label sets (few-shot.max-label-sets); delete a set first",
                    exemplar.getExemplarId(), config.maxLabelSets());
            return;
        }
        ExemplarSets.Update update = ExemplarSets.apply(current, exemplar, config.maxExemplarsPerLabelSet());
        if (update.change() == ExemplarSets.Change.ADDED || update.change() == ExemplarSets.Change.REPLACED
                || update.change() == ExemplarSets.Change.REMOVED) {
            versions.merge(labelSet, 1L, Long::sum);
        }
        if (update.exemplars().isEmpty()) {
            exemplars.remove(labelSet);
        } else {
            exemplars.put(labelSet, update.exemplars());
        }
        exemplarsApplied.inc();
        LOG.debug("label set {}: exemplar {} {} ({} kept, {} evicted)", labelSet, exemplar.getExemplarId(),
                update.change(), update.exemplars().size(), update.evicted());
    }

    /** The label set an event asks for: its attribute, else the default, else null. */
    String labelSetOf(ImageTask task) {
        Map<String, String> attrs = task.event.getAttributes();
        String v = attrs == null ? null : attrs.get(config.labelSetAttribute());
        if (v != null && !v.isBlank()) {
            return v;
        }
        return config.defaultLabelSet();
    }

    private int countLabelSets() throws Exception {
        int n = 0;
        for (var ignored : exemplars.entries()) {
            n++;
        }
        return n;
    }

    /** The exemplars of {@code labelSet} in broadcast state, oldest first (empty when none); for tests. */
    List<Exemplar> exemplarsOf(String labelSet) throws Exception {
        List<Exemplar> list = exemplars.get(labelSet);
        return list == null ? List.of() : list;
    }

    /** Sets of exemplars the model prepared so far; for tests. */
    long exemplarSetsPrepared() {
        return cache.misses.get();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        pendingState.update(new ArrayList<>(pending));
    }

    /** Bounded input: wait for every event in flight before finishing. */
    @Override
    public void endInput(int inputId) throws Exception {
        if (inputId == 1) {
            while (!pending.isEmpty()) {
                mailbox.yield();
            }
        }
    }

}
