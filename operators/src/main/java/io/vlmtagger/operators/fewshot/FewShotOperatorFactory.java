package io.vlmtagger.operators.fewshot;

import io.vlmtagger.models.api.FewShotTagger;
import io.vlmtagger.operators.runtime.BatchSchedulerFactory;
import io.vlmtagger.operators.runtime.ModelProvider;
import io.vlmtagger.operators.runtime.ModelSpec;
import io.vlmtagger.operators.stage.InferenceOperatorFactory;
import io.vlmtagger.operators.stage.InferenceSettings;
import io.vlmtagger.schemas.EnrichedImage;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperatorFactory;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.schemas.Exemplar;

import java.time.Clock;

/**
 * Creates {@link FewShotOperator}s with the task's mailbox executor (through which answers come
 * back to the task thread). Wire it with {@link FewShotStage#apply}.
 */
public final class FewShotOperatorFactory extends InferenceOperatorFactory<EnrichedImage>
        implements TwoInputStreamOperatorFactory<ImageTask, Exemplar, EnrichedImage> {
    private static final long serialVersionUID = 1L;

    final FewShotStageConfig config;

    private FewShotOperatorFactory(FewShotStageConfig config) {
        super(FewShotOperator.class);
        this.config = config;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The inference settings the stage runs with (device, batching, retries, budgets). */
    public InferenceSettings settings() {
        return config.settings();
    }

    public int maxExemplarsPerLabelSet() {
        return config.maxExemplarsPerLabelSet();
    }

    @Override
    protected StreamOperator<EnrichedImage> create(StreamOperatorParameters<EnrichedImage> parameters,
            MailboxExecutor mailbox) {
        return new FewShotOperator(parameters, config, mailbox);
    }

    /**
     * Builder: {@code setModelProvider} and {@code setModelSpec} required. Defaults: the inference
     * settings' defaults (device, batching, retries), 8 exemplars per label set, 1024 label sets,
     * 256 MiB of prepared exemplar features, label set attribute {@value
     * FewShotOperator#DEFAULT_LABEL_SET_ATTRIBUTE}, no default label set, system UTC clock.
     */
    public static final class Builder {
        private ModelProvider<FewShotTagger> provider;
        private ModelSpec spec;
        private InferenceSettings settings = InferenceSettings.defaults();
        private BatchSchedulerFactory schedulerFactory = BatchSchedulerFactory.system();
        private int maxExemplarsPerLabelSet = FewShotOptions.MAX_EXEMPLARS.defaultValue();
        private int maxLabelSets = FewShotOptions.MAX_LABEL_SETS.defaultValue();
        private long exemplarCacheBytes = FewShotOptions.EXEMPLAR_CACHE_SIZE.defaultValue().getBytes();
        private String labelSetAttribute = FewShotOperator.DEFAULT_LABEL_SET_ATTRIBUTE;
        private String defaultLabelSet;
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        public Builder setModelProvider(ModelProvider<FewShotTagger> provider) { this.provider = provider; return this; }

        public Builder setModelSpec(ModelSpec spec) { this.spec = spec; return this; }

        /** Devices, batching, retries, capacity and in-flight bytes: the job's {@code inference.*} settings. */
        public Builder optSettings(InferenceSettings settings) { this.settings = settings; return this; }

        public Builder optSchedulerFactory(BatchSchedulerFactory factory) { this.schedulerFactory = factory; return this; }

        /** The latest N exemplars kept per label set (each is one more image in every prompt). */
        public Builder optMaxExemplarsPerLabelSet(int max) { this.maxExemplarsPerLabelSet = max; return this; }

        /** Label sets kept at most; exemplars of further sets are rejected. */
        public Builder optMaxLabelSets(int max) { this.maxLabelSets = max; return this; }

        /** Heap for prepared exemplar features (see {@link FewShotOptions#EXEMPLAR_CACHE_SIZE}). */
        public Builder optExemplarCacheBytes(long bytes) { this.exemplarCacheBytes = bytes; return this; }

        /** The event attribute naming the label set (default {@value FewShotOperator#DEFAULT_LABEL_SET_ATTRIBUTE}). */
        public Builder optLabelSetAttribute(String attribute) { this.labelSetAttribute = attribute; return this; }

        /** The label set of events that name none (default: none, such events are dead-lettered). */
        public Builder optDefaultLabelSet(String labelSet) { this.defaultLabelSet = labelSet; return this; }

        public Builder optClock(Clock clock) { this.clock = clock; return this; }

        public FewShotOperatorFactory build() {
            require(provider != null, "FewShotOperatorFactory needs setModelProvider(ModelProvider<FewShotTagger>)");
            require(spec != null, "FewShotOperatorFactory needs setModelSpec(ModelSpec.of(<idefics checkpoint>))");
            require(maxExemplarsPerLabelSet >= 1 && maxLabelSets >= 1 && exemplarCacheBytes >= 0,
                    "optMaxExemplarsPerLabelSet and optMaxLabelSets must be at least 1 and optExemplarCacheBytes at"
                            + " least 0, got " + maxExemplarsPerLabelSet + ", " + maxLabelSets + " and " + exemplarCacheBytes);
            require(settings != null && schedulerFactory != null && labelSetAttribute != null && clock != null,
                    "settings, scheduler factory, label set attribute and clock must not be null; omit the opt call"
                            + " for the default");
            return new FewShotOperatorFactory(new FewShotStageConfig(provider, spec, settings, schedulerFactory,
                    maxExemplarsPerLabelSet, maxLabelSets, exemplarCacheBytes, labelSetAttribute, defaultLabelSet, clock));
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
