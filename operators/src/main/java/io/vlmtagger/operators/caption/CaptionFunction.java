package io.vlmtagger.operators.caption;

import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.ImageCaptioner;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.operators.records.Outcome;
import io.vlmtagger.operators.runtime.BatchSchedulerFactory;
import io.vlmtagger.operators.runtime.Failures;
import io.vlmtagger.operators.runtime.InferenceFuture;
import io.vlmtagger.operators.runtime.InferenceRuntime;
import io.vlmtagger.operators.runtime.ModelProvider;
import io.vlmtagger.operators.runtime.ModelSpec;
import io.vlmtagger.operators.stage.BudgetedAsyncWait;
import io.vlmtagger.operators.stage.InferenceDeadLetters;
import io.vlmtagger.operators.stage.InferenceSettings;
import io.vlmtagger.operators.stage.StageRuntime;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.FailureStage;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

/**
 * The caption stage: a thin async function over the {@link InferenceRuntime}, which batches,
 * gates, retries and measures; this function supplies the model's part ({@link CaptionHandler}:
 * decode and resize, caption a batch) and builds the output. Every input yields exactly one
 * {@link Outcome}: an {@link EnrichedImage} (caption, tags, model stage, timings) or a dead letter;
 * the job never fails because of one image. Decode errors become {@code PREPROCESS} dead letters
 * with the decoder's reason ({@code corrupt_image}, {@code too_large}, ...) and are not retried;
 * timeouts and model errors are retried up to {@code inference.max-attempts} and then become
 * {@code INFERENCE} dead letters ({@code timeout}, {@code inference_failed}, ...).
 *
 * <p>Use with {@link #apply} (Flink's unordered async wait, bounded by bytes too), not {@code
 * unorderedWaitWithRetry}: Flink's retry strategy cannot tell a corrupt image from a flaky model
 * call, its timeout covers all attempts together, and it ends in an exception that fails the job,
 * whereas the last failure here must become a dead letter. Retries therefore live in the runtime
 * with a per-attempt timeout, and Flink's timeout ({@link InferenceSettings#operatorTimeout()}) is
 * only a backstop that also yields a {@code timeout} dead letter. Unordered because results are
 * independent and ordered mode would hold every finished batch behind the slowest one.
 *
 * <p>Deduplication (opt-in, {@link Builder#optDedup}): identical images (same bytes, model
 * revision, prompt and options) in flight at once share one model call, and a bounded cache
 * answers repeats and replays without the model; gauges {@code dedup_hits} and {@code cache_hits}.
 *
 * <p>Checkpoints: Flink's async operator stores in-flight inputs (the task with its encoded image,
 * never pixels) and re-submits them after a restore; closing the runtime on shutdown cancels its
 * requests without dead letters.
 */
public class CaptionFunction extends RichAsyncFunction<ImageTask, Outcome<EnrichedImage>> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CaptionFunction.class);

    private final ModelProvider<ImageCaptioner> modelProvider;
    private final ModelSpec modelSpec;
    private final InferenceSettings settings;
    private final TagExtractor tagExtractor;
    private final BatchSchedulerFactory schedulerFactory;
    private final Clock clock;
    private final int dedupCacheEntries;

    private transient StageRuntime<ImageCaptioner, CaptionInput, GenerationResult> stage;
    private transient Map<ImageTask, InferenceFuture<GenerationResult>> inFlight;

    private CaptionFunction(Builder b) {
        this.modelProvider = b.modelProvider;
        this.modelSpec = b.modelSpec;
        this.settings = b.settings;
        this.tagExtractor = b.tagExtractor;
        this.schedulerFactory = b.schedulerFactory;
        this.clock = b.clock;
        this.dedupCacheEntries = b.dedupCacheEntries;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Output type of this function, for {@code returns(...)}. */
    public static TypeInformation<Outcome<EnrichedImage>> outputType() {
        return TypeInformation.of(new TypeHint<Outcome<EnrichedImage>>() {});
    }

    /**
     * Wires the function behind {@code input}: unordered, Flink's timeout, the capacity and the
     * in-flight bytes ({@code inference.max-in-flight-bytes}) from the settings.
     */
    public static SingleOutputStreamOperator<Outcome<EnrichedImage>> apply(DataStream<ImageTask> input,
                                                                         CaptionFunction function) {
        InferenceSettings s = function.settings;
        return BudgetedAsyncWait.unorderedWait(input, function, s.operatorTimeout(), s.capacity(),
                s.maxInFlightBytes(), ImageTask::sizeBytes, outputType());
    }

    public InferenceSettings settings() {
        return settings;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        // By identity: Flink hands timeout() the same input object it gave asyncInvoke().
        inFlight = Collections.synchronizedMap(new IdentityHashMap<>());
        stage = StageRuntime.open("caption", getRuntimeContext(), modelProvider, modelSpec, settings, schedulerFactory,
                model -> CaptionHandler.runtime(model, settings.captionPrompt(), settings.captionGeneration(),
                        dedupCacheEntries));
        if (dedupCacheEntries >= 0) {
            InferenceRuntime<?, ?> runtime = stage.runtime();
            getRuntimeContext().getMetricGroup().gauge("dedup_hits", (Gauge<Long>) runtime::dedupHits);
            getRuntimeContext().getMetricGroup().gauge("cache_hits", (Gauge<Long>) runtime::cacheHits);
        }
    }

    @Override
    public void asyncInvoke(ImageTask task, ResultFuture<Outcome<EnrichedImage>> resultFuture) {
        InferenceFuture<GenerationResult> result = stage.runtime().submit(new CaptionInput(task));
        inFlight.put(task, result);
        result.whenComplete((caption, failure) -> {
            inFlight.remove(task);
            if (failure == null) {
                resultFuture.complete(List.of(Outcome.ok(enrich(task, caption))));
            } else if (!(Failures.unwrap(failure) instanceof CancellationException)) {
                complete(resultFuture, InferenceDeadLetters.deadLetter(task, failure, result.attempts(), clock.instant()));
            } // cancelled: the task is shutting down, the input stays in Flink's state
        });
    }

    private EnrichedImage enrich(ImageTask task, GenerationResult result) {
        List<String> tags;
        try {
            tags = tagExtractor.tags(result.text());
        } catch (RuntimeException e) {
            LOG.warn("tagging the caption of {} failed; emitting it without tags", task.eventId(), e);
            tags = List.of();
        }
        return CaptionResults.captioned(task, result, tags, stage.model().info(), clock.instant());
    }

    /** Flink's backstop timeout over all attempts: give up and dead-letter with reason {@code timeout}. */
    @Override
    public void timeout(ImageTask task, ResultFuture<Outcome<EnrichedImage>> resultFuture) {
        InferenceFuture<GenerationResult> result = inFlight.remove(task);
        String message = "no caption within the operator timeout of " + settings.operatorTimeout().toMillis() + " ms";
        if (result != null) {
            result.giveUp(message); // its completion emits the dead letter, or the result that just beat it
            return;
        }
        complete(resultFuture, InferenceDeadLetters.deadLetter(task, FailureStage.INFERENCE, Failures.REASON_TIMEOUT,
                new TimeoutException(message), null, 1, clock.instant()));
    }

    private void complete(ResultFuture<Outcome<EnrichedImage>> resultFuture, DeadLetter deadLetter) {
        stage.metrics().onDeadLetter(deadLetter.getStage());
        resultFuture.complete(List.of(Outcome.failed(deadLetter)));
    }

    @Override
    public void close() throws Exception {
        if (stage != null) {
            stage.close();
            stage = null;
        }
    }

    /** Builder: model provider, spec and tag extractor are required. */
    public static final class Builder {
        private ModelProvider<ImageCaptioner> modelProvider;
        private ModelSpec modelSpec;
        private TagExtractor tagExtractor;
        private InferenceSettings settings = InferenceSettings.defaults();
        private BatchSchedulerFactory schedulerFactory = BatchSchedulerFactory.system();
        private Clock clock = Clock.systemUTC();
        private int dedupCacheEntries = -1;

        private Builder() {}

        /**
         * Turns on deduplication by image hash: identical requests in flight share one model call,
         * and up to {@code cacheEntries} results (LRU; 0 = in-flight sharing only) answer repeats.
         * Off when not called.
         */
        public Builder optDedup(int cacheEntries) {
            if (cacheEntries < 0) {
                throw new IllegalArgumentException("optDedup(cacheEntries) needs cacheEntries >= 0 (0 = share in-flight"
                        + " requests only); omit the call to turn deduplication off");
            }
            this.dedupCacheEntries = cacheEntries;
            return this;
        }

        public Builder setModelProvider(ModelProvider<ImageCaptioner> provider) { this.modelProvider = provider; return this; }
        public Builder setModelSpec(ModelSpec spec) { this.modelSpec = spec; return this; }
        public Builder setTagExtractor(TagExtractor tagExtractor) { this.tagExtractor = tagExtractor; return this; }
        public Builder optSettings(InferenceSettings settings) { this.settings = settings; return this; }
        public Builder optSchedulerFactory(BatchSchedulerFactory factory) { this.schedulerFactory = factory; return this; }
        public Builder optClock(Clock clock) { this.clock = clock; return this; }

        public CaptionFunction build() {
            if (modelProvider == null) {
                throw new IllegalArgumentException("CaptionFunction needs a model provider: call setModelProvider(...)"
                        + " with one backed by the models module's shared registry");
            }
            if (modelSpec == null) {
                throw new IllegalArgumentException("CaptionFunction needs the checkpoint to load: call setModelSpec(ModelSpec.of(dir))");
            }
            if (tagExtractor == null) {
                throw new IllegalArgumentException("CaptionFunction needs a tag extractor: call setTagExtractor(...),"
                        + " e.g. the CaptionTagger");
            }
            if (settings == null || schedulerFactory == null || clock == null) {
                throw new IllegalArgumentException("settings, scheduler factory and clock must not be null; omit the opt call for the default");
            }
            return new CaptionFunction(this);
        }
    }
}
