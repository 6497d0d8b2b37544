package io.vlmtagger.operators.inference;

import io.vlmtagger.models.api.CaptionRequest;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.ImageCaptioner;
import io.vlmtagger.models.api.ImageDecodeException;
import io.vlmtagger.operators.batching.BatchScheduler;
import io.vlmtagger.operators.batching.BatchSchedulerFactory;
import io.vlmtagger.operators.batching.MicroBatcher;
import io.vlmtagger.operators.dedup.DedupKey;
import io.vlmtagger.operators.dedup.ResultDedup;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.operators.records.Outcome;
import io.vlmtagger.operators.slots.ModelProvider;
import io.vlmtagger.operators.slots.ModelSpec;
import io.vlmtagger.operators.slots.SlotModel;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.FailureStage;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Captions images: a thin async function over a {@link MicroBatcher} and the slot's shared
 * {@link ImageCaptioner}. Every input yields exactly one {@link Outcome}: an {@link EnrichedImage}
 * (caption, tags, model stage, timings) or a dead letter; the job never fails because of one
 * image. Decode errors become {@code PREPROCESS} dead letters with the decoder's reason ({@code
 * corrupt_image}, {@code too_large}, ...) and are not retried; timeouts and model errors are
 * retried up to {@code inference.max-attempts} and then become {@code INFERENCE} dead letters
 * ({@code timeout}, {@code inference_failed}, ...).
 *
 * <p>Use with {@link #apply} (plain {@code AsyncDataStream.unorderedWait}), not {@code
 * unorderedWaitWithRetry}: Flink's retry strategy cannot tell a corrupt image from a flaky model
 * call, its timeout covers all attempts together, and it ends in an exception that fails the job,
 * whereas the last failure here must become a dead letter. Retries therefore live in {@link
 * Attempts} with a per-attempt timeout, and Flink's timeout ({@link
 * InferenceSettings#operatorTimeout()}) is only a backstop that also yields a {@code timeout}
 * dead letter. Unordered because results are independent and ordered mode would hold every
 * finished batch behind the slowest one.
 *
 * <p>Deduplication (opt-in, {@link Builder#optDedup}): identical images (same bytes, model
 * revision, prompt and options) in flight at once share one model call, and a bounded cache
 * answers repeats and replays without the model; gauges {@code dedup_hits} and {@code cache_hits}.
 *
 * <p>Checkpoints: Flink's async operator stores in-flight inputs and re-submits them after a
 * restore; closing the batcher on shutdown cancels its requests without dead letters.
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

    private transient ResultDedup<DedupKey, GenerationResult> dedup;
    private transient String dedupRequest;
    private transient SlotModel<ImageCaptioner> slot;
    private transient BatchScheduler scheduler;
    private transient MicroBatcher<CaptionJob, GenerationResult> batcher;
    private transient InferenceMetrics metrics;
    private transient Map<ImageTask, Attempts<CaptionJob, GenerationResult>> inFlight;

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

    /** Wires the function behind {@code input}: unordered, Flink timeout and capacity from the settings. */
    public static SingleOutputStreamOperator<Outcome<EnrichedImage>> apply(DataStream<ImageTask> input,
                                                                         CaptionFunction function) {
        return AsyncDataStream.unorderedWait(input, function,
                        function.settings.operatorTimeout().toMillis(), TimeUnit.MILLISECONDS,
                        function.settings.capacity())
                .returns(outputType());
    }

    public InferenceSettings settings() {
        return settings;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        metrics = new InferenceMetrics(getRuntimeContext().getMetricGroup());
        // By identity: Flink hands timeout() the same input object it gave asyncInvoke().
        inFlight = Collections.synchronizedMap(new IdentityHashMap<>());
        slot = SlotModel.acquire(modelProvider, modelSpec, getRuntimeContext(), settings.gpuResourceName(),
                settings.devices(), settings.deviceConcurrency());
        metrics.setModelLoadTimeMs(slot.loadTimeMs());
        String name = "caption-" + slot.device().replace(":", "") + "-"
                + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        scheduler = schedulerFactory.create(name);
        ImageCaptioner model = slot.model();
        SlotModel<?> gated = slot;
        batcher = settings.configure(MicroBatcher.<CaptionJob, GenerationResult>builder()
                .setName(name)
                .setHandler(jobs -> {
                    List<CaptionRequest> requests = new ArrayList<>(jobs.size());
                    for (CaptionJob job : jobs) {
                        requests.add(new CaptionRequest(job.pixels, settings.captionPrompt()));
                    }
                    return gated.runBatch(() -> model.caption(requests, settings.captionGeneration()));
                })
                .optPreprocessor(job -> {
                    if (job.pixels == null) {
                        job.pixels = preprocess(model, job.task);
                    }
                    return job;
                })
                .optScheduler(scheduler)
                .optListener(metrics))
                .build();
        metrics.setQueueDepth(batcher::queueDepth);
        if (dedupCacheEntries >= 0) {
            ResultDedup<DedupKey, GenerationResult> d = new ResultDedup<>(dedupCacheEntries);
            dedup = d;
            dedupRequest = settings.captionPrompt() + "|" + settings.captionGeneration();
            getRuntimeContext().getMetricGroup().gauge("dedup_hits", (Gauge<Long>) d::dedupHits);
            getRuntimeContext().getMetricGroup().gauge("cache_hits", (Gauge<Long>) d::cacheHits);
        }
    }

    /** The dedup key of {@code task}, or null when dedup is off or there are no bytes to hash. */
    private DedupKey dedupKey(ImageTask task) {
        if (dedup == null || task.imageBytes == null || task.imageBytes.length == 0) {
            return null;
        }
        io.vlmtagger.models.api.ModelInfo info = slot.model().info();
        return DedupKey.of(task.imageBytes, Objects.toString(info.revision(), info.name()), dedupRequest);
    }

    static io.vlmtagger.models.api.PixelValues preprocess(ImageCaptioner model, ImageTask task)
            throws ImageDecodeException {
        if (task.imageBytes == null || task.imageBytes.length == 0) {
            throw new ImageDecodeException(ImageDecodeException.Reason.EMPTY,
                    "event " + task.eventId() + " reached captioning without image bytes");
        }
        return model.preprocess(task.imageBytes);
    }

    @Override
    public void asyncInvoke(ImageTask task, ResultFuture<Outcome<EnrichedImage>> resultFuture) {
        DedupKey key = dedupKey(task);
        if (key != null && dedup.admit(key, (result, failure) -> {
            if (failure == null) {
                resultFuture.complete(List.of(Outcome.ok(enrich(task, result))));
            } else {
                complete(resultFuture, InferenceFailures.deadLetter(task, failure, 1, clock.instant()));
            }
        }) != ResultDedup.Admission.LEAD) {
            return; // answered from the cache, or shares the identical request in flight
        }
        Attempts<CaptionJob, GenerationResult> attempts = new Attempts<>(batcher::submit, new CaptionJob(task),
                settings.timeout(), settings.maxAttempts(), metrics::onRetry, new AttemptCallback<>() {
                    @Override
                    public void succeeded(GenerationResult result, int n) {
                        inFlight.remove(task);
                        metrics.onResult(result.newTokens());
                        resultFuture.complete(List.of(Outcome.ok(enrich(task, result))));
                        if (key != null) {
                            dedup.complete(key, result);
                        }
                    }

                    @Override
                    public void failed(Throwable failure, int n) {
                        inFlight.remove(task);
                        complete(resultFuture, InferenceFailures.deadLetter(task, failure, n, clock.instant()));
                        if (key != null) {
                            dedup.fail(key, failure);
                        }
                    }
                });
        inFlight.put(task, attempts);
        attempts.start();
    }

    private EnrichedImage enrich(ImageTask task, GenerationResult result) {
        List<String> tags;
        try {
            tags = tagExtractor.tags(result.text());
        } catch (RuntimeException e) {
            LOG.warn("tagging the caption of {} failed; emitting it without tags", task.eventId(), e);
            tags = List.of();
        }
        return EnrichedImages.captioned(task, result, tags, slot.model().info(), clock.instant());
    }

    /** Flink's backstop timeout over all attempts: give up and dead-letter with reason {@code timeout}. */
    @Override
    public void timeout(ImageTask task, ResultFuture<Outcome<EnrichedImage>> resultFuture) {
        Attempts<CaptionJob, GenerationResult> attempts = inFlight.remove(task);
        int n = 1;
        if (attempts != null) {
            attempts.abandon();
            n = attempts.attempts();
        }
        String message = "no caption within the operator timeout of " + settings.operatorTimeout().toMillis() + " ms";
        DedupKey key = attempts == null ? null : dedupKey(task);
        if (key != null) {
            dedup.fail(key, new TimeoutException(message)); // requests that joined this one time out with it
        }
        complete(resultFuture, InferenceFailures.deadLetter(task, FailureStage.INFERENCE, InferenceFailures.REASON_TIMEOUT,
                new TimeoutException(message), null, n, clock.instant()));
    }

    private void complete(ResultFuture<Outcome<EnrichedImage>> resultFuture, DeadLetter deadLetter) {
        metrics.onDeadLetter(deadLetter.getStage());
        resultFuture.complete(List.of(Outcome.failed(deadLetter)));
    }

    @Override
    public void close() throws Exception {
        try {
            if (batcher != null) {
                batcher.close();
            }
            if (scheduler != null) {
                scheduler.close();
            }
        } finally {
            if (slot != null) {
                slot.close();
                slot = null;
            }
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
