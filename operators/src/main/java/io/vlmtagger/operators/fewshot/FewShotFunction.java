package io.vlmtagger.operators.fewshot;

import io.vlmtagger.models.api.FewShotAnswer;
import io.vlmtagger.models.api.FewShotTagger;
import io.vlmtagger.models.api.ImageDecodeException;
import io.vlmtagger.models.api.LabeledExample;
import io.vlmtagger.operators.deadletter.DeadLetters;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.operators.slots.ModelProvider;
import io.vlmtagger.operators.slots.ModelSpec;
import io.vlmtagger.operators.slots.SlotModel;
import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.Exemplar;
import io.vlmtagger.schemas.FailureStage;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Few-shot tagging: keeps the published exemplars in broadcast state and tags each FEW_SHOT_TAGS
 * event with them.
 *
 * <p>Broadcast side ({@link Exemplar}s from the exemplars topic): per label set, the latest
 * {@code maxExemplarsPerLabelSet} by {@code publishedAt}, replaced by {@code exemplarId}, removed
 * by tombstones ({@code deleted}); at most {@code maxLabelSets} label sets (exemplars of further
 * sets are rejected and counted). Every parallel instance applies the same updates, so all hold
 * the same state, which Flink checkpoints and restores; publishing new exemplars changes later
 * events' tags without a restart.
 *
 * <p>Event side ({@link ImageTask}s after the fetch stage): the label set is the event attribute
 * {@code labelSetAttribute} (default {@value #DEFAULT_LABEL_SET_ATTRIBUTE}) or the default label
 * set; the model ({@link FewShotTagger}, IDEFICS in production) answers the tags, and the event
 * becomes an {@link EnrichedImage} (stage {@value #STAGE}) with attributes {@code
 * fewshot.label_set} and {@code fewshot.exemplars} added. An event whose label set has no
 * exemplars, an undecodable image or a model failure becomes a dead letter ({@link DeadLetters#TAG}).
 *
 * <p>The model runs synchronously in the operator thread (few-shot is a low-rate path; one subtask
 * per device). Broadcast elements and events of different inputs are not ordered against each
 * other: an event racing an exemplar update may see the state before or after it.
 */
public class FewShotFunction extends BroadcastProcessFunction<ImageTask, Exemplar, EnrichedImage> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(FewShotFunction.class);

    public static final String STAGE = "few_shot";
    public static final String DEFAULT_LABEL_SET_ATTRIBUTE = "fewshot.label_set";
    public static final String ATTR_LABEL_SET = "fewshot.label_set";
    public static final String ATTR_EXEMPLARS = "fewshot.exemplars";

    /** The broadcast state: label set -> exemplars, oldest first (values serialized with Avro). */
    public static final MapStateDescriptor<String, List<Exemplar>> EXEMPLARS = new MapStateDescriptor<>(
            "few-shot-exemplars", Types.STRING, new ListTypeInfo<>(new AvroTypeInfo<>(Exemplar.class)));

    private final ModelProvider<FewShotTagger> provider;
    private final ModelSpec spec;
    private final String device;
    private final int maxExemplarsPerLabelSet;
    private final int maxLabelSets;
    private final String labelSetAttribute;
    private final String defaultLabelSet;
    private final Clock clock;

    private transient SlotModel<FewShotTagger> model;
    private transient Counter tagged;
    private transient Counter noExemplars;
    private transient Counter failed;
    private transient Counter exemplarsApplied;
    private transient Counter exemplarsRejected;

    private FewShotFunction(Builder b) {
        this.provider = b.provider;
        this.spec = b.spec;
        this.device = b.device;
        this.maxExemplarsPerLabelSet = b.maxExemplarsPerLabelSet;
        this.maxLabelSets = b.maxLabelSets;
        this.labelSetAttribute = b.labelSetAttribute;
        this.defaultLabelSet = b.defaultLabelSet;
        this.clock = b.clock;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        var metrics = getRuntimeContext().getMetricGroup().addGroup("fewshot");
        tagged = metrics.counter("fewshot_events_tagged_total");
        noExemplars = metrics.counter("fewshot_events_without_exemplars_total");
        failed = metrics.counter("fewshot_events_failed_total");
        exemplarsApplied = metrics.counter("fewshot_exemplars_applied_total");
        exemplarsRejected = metrics.counter("fewshot_exemplars_rejected_total");
        model = SlotModel.acquire(provider, spec, device, getRuntimeContext().getTaskInfo().getTaskNameWithSubtasks());
    }

    @Override
    public void close() throws Exception {
        if (model != null) {
            model.close();
            model = null;
        }
    }

    @Override
    public void processElement(ImageTask task, ReadOnlyContext ctx, Collector<EnrichedImage> out) throws Exception {
        String labelSet = labelSetOf(task);
        if (labelSet == null) {
            noExemplars.inc();
            ctx.output(DeadLetters.TAG, deadLetter(task, "few_shot_no_label_set", "the event names no label set: set"
                    + " the attribute " + labelSetAttribute + " (or configure a default label set)", null));
            return;
        }
        ReadOnlyBroadcastState<String, List<Exemplar>> state = ctx.getBroadcastState(EXEMPLARS);
        List<Exemplar> exemplars = state.get(labelSet);
        if (exemplars == null || exemplars.isEmpty()) {
            noExemplars.inc();
            ctx.output(DeadLetters.TAG, deadLetter(task, "few_shot_no_exemplars", "label set '" + labelSet
                    + "' has no exemplars: publish some to the exemplars topic first", null));
            return;
        }
        List<LabeledExample> examples = new ArrayList<>(exemplars.size());
        for (Exemplar e : exemplars) {
            examples.add(new LabeledExample(bytes(e.getImage()), e.getTags(), e.getCaption()));
        }
        FewShotAnswer answer;
        try {
            answer = model.model().tag(examples, task.imageBytes);
        } catch (ImageDecodeException e) {
            failed.inc();
            ctx.output(DeadLetters.TAG, DeadLetters.forTask(task).setStage(FailureStage.PREPROCESS)
                    .setReason("few_shot_image_decode").optError(e).optClock(clock).build());
            return;
        } catch (RuntimeException e) {
            failed.inc();
            ctx.output(DeadLetters.TAG, deadLetter(task, "few_shot_inference", null, e));
            return;
        }
        tagged.inc();
        out.collect(FewShotResults.enriched(task, answer, labelSet, exemplars.size(), model.model().info(),
                Instant.now(clock)));
    }

    @Override
    public void processBroadcastElement(Exemplar exemplar, Context ctx, Collector<EnrichedImage> out)
            throws Exception {
        String invalid = ExemplarSets.invalidReason(exemplar);
        if (invalid != null) {
            exemplarsRejected.inc();
            LOG.warn("ignoring exemplar {} of label set {}: {}", exemplar.getExemplarId(), exemplar.getLabelSet(),
                    invalid);
            return;
        }
        BroadcastState<String, List<Exemplar>> state = ctx.getBroadcastState(EXEMPLARS);
        String labelSet = exemplar.getLabelSet();
        List<Exemplar> current = state.get(labelSet);
        if (current == null && !exemplar.getDeleted() && countLabelSets(state) >= maxLabelSets) {
            exemplarsRejected.inc();
            LOG.warn("ignoring exemplar {}: already {} label sets (few-shot max-label-sets); delete a set first",
                    exemplar.getExemplarId(), maxLabelSets);
            return;
        }
        ExemplarSets.Update update = ExemplarSets.apply(current, exemplar, maxExemplarsPerLabelSet);
        if (update.exemplars().isEmpty()) {
            state.remove(labelSet);
        } else {
            state.put(labelSet, update.exemplars());
        }
        exemplarsApplied.inc();
        LOG.debug("label set {}: exemplar {} {} ({} kept, {} evicted)", labelSet, exemplar.getExemplarId(),
                update.change(), update.exemplars().size(), update.evicted());
    }

    /** The label set an event asks for: its attribute, else the default, else null. */
    String labelSetOf(ImageTask task) {
        Map<String, String> attrs = task.event.getAttributes();
        String v = attrs == null ? null : attrs.get(labelSetAttribute);
        if (v != null && !v.isBlank()) {
            return v;
        }
        return defaultLabelSet;
    }

    private static int countLabelSets(BroadcastState<String, List<Exemplar>> state) throws Exception {
        int n = 0;
        for (var ignored : state.entries()) {
            n++;
        }
        return n;
    }

    private io.vlmtagger.schemas.DeadLetter deadLetter(ImageTask task, String reason, String message, Throwable error) {
        DeadLetters.Builder b = DeadLetters.forTask(task).setStage(FailureStage.INFERENCE).setReason(reason)
                .optClock(clock);
        if (message != null) {
            b.optMessage(message);
        }
        if (error != null) {
            b.optError(error);
        }
        return b.build();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /**
     * Builder: {@code setModelProvider} and {@code setModelSpec} required. Defaults: 8 exemplars per
     * label set, 1024 label sets, label set attribute {@value #DEFAULT_LABEL_SET_ATTRIBUTE}, no
     * default label set, device {@code cpu}, system UTC clock.
     */
    public static final class Builder {
        private ModelProvider<FewShotTagger> provider;
        private ModelSpec spec;
        private String device = "cpu";
        private int maxExemplarsPerLabelSet = 8;
        private int maxLabelSets = 1024;
        private String labelSetAttribute = DEFAULT_LABEL_SET_ATTRIBUTE;
        private String defaultLabelSet;
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        public Builder setModelProvider(ModelProvider<FewShotTagger> provider) {
            this.provider = provider;
            return this;
        }

        public Builder setModelSpec(ModelSpec spec) {
            this.spec = spec;
            return this;
        }

        /** {@code cpu} or {@code gpu:N}. */
        public Builder optDevice(String device) {
            this.device = device;
            return this;
        }

        /** The latest N exemplars kept per label set (each is one more image in every prompt). */
        public Builder optMaxExemplarsPerLabelSet(int max) {
            this.maxExemplarsPerLabelSet = max;
            return this;
        }

        public Builder optMaxLabelSets(int max) {
            this.maxLabelSets = max;
            return this;
        }

        public Builder optLabelSetAttribute(String attribute) {
            this.labelSetAttribute = attribute;
            return this;
        }

        /** The label set of events that name none (default: none, such events are dead-lettered). */
        public Builder optDefaultLabelSet(String labelSet) {
            this.defaultLabelSet = labelSet;
            return this;
        }

        public Builder optClock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public FewShotFunction build() {
            if (provider == null) {
                throw new IllegalStateException("FewShotFunction needs setModelProvider(ModelProvider<FewShotTagger>)");
            }
            if (spec == null) {
                throw new IllegalStateException("FewShotFunction needs setModelSpec(ModelSpec.of(<idefics checkpoint>))");
            }
            if (maxExemplarsPerLabelSet < 1) {
                throw new IllegalArgumentException("optMaxExemplarsPerLabelSet must be at least 1, got "
                        + maxExemplarsPerLabelSet);
            }
            if (maxLabelSets < 1) {
                throw new IllegalArgumentException("optMaxLabelSets must be at least 1, got " + maxLabelSets);
            }
            Objects.requireNonNull(labelSetAttribute, "labelSetAttribute");
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(clock, "clock");
            return new FewShotFunction(this);
        }
    }
}
