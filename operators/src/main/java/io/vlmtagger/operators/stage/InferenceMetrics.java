package io.vlmtagger.operators.stage;

import org.apache.flink.annotation.Internal;
import io.vlmtagger.operators.runtime.InferenceListener;
import io.vlmtagger.schemas.FailureStage;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * The inference operators' metrics, names carrying their unit:
 * {@code inference_batch_size} (histogram, requests), {@code inference_batch_latency_ms}
 * (histogram), {@code inference_queue_depth} (gauge, requests waiting for the model), {@code
 * images_per_second} and {@code generated_tokens_per_second} (meters), {@code model_load_time_ms}
 * (gauge), {@code inference_retries} (counter) and {@code dead_letters_<stage>} (counters, e.g.
 * {@code dead_letters_preprocess}, {@code dead_letters_inference}).
 */
@Internal
public final class InferenceMetrics implements InferenceListener {
    private static final int HISTOGRAM_WINDOW = 1024;

    private final Histogram batchSize;
    private final Histogram batchLatencyMs;
    private final Meter imagesPerSecond;
    private final Meter tokensPerSecond;
    private final Counter retries;
    private final Map<FailureStage, Counter> deadLetters = new EnumMap<>(FailureStage.class);
    private volatile long modelLoadTimeMs;
    private volatile IntSupplier queueDepth = () -> 0;

    public InferenceMetrics(MetricGroup group) {
        this.batchSize = group.histogram("inference_batch_size", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        this.batchLatencyMs = group.histogram("inference_batch_latency_ms",
                new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        this.imagesPerSecond = group.meter("images_per_second", new MeterView(60));
        this.tokensPerSecond = group.meter("generated_tokens_per_second", new MeterView(60));
        this.retries = group.counter("inference_retries");
        group.gauge("inference_queue_depth", (Gauge<Integer>) () -> queueDepth.getAsInt());
        group.gauge("model_load_time_ms", (Gauge<Long>) () -> modelLoadTimeMs);
        for (FailureStage stage : FailureStage.values()) {
            deadLetters.put(stage, group.counter("dead_letters_" + stage.name().toLowerCase(Locale.ROOT)));
        }
    }

    public void setQueueDepth(IntSupplier depth) {
        this.queueDepth = depth;
    }

    public void setModelLoadTimeMs(long ms) {
        this.modelLoadTimeMs = ms;
    }

    @Override
    public void onBatch(int size, long latencyNanos, boolean succeeded) {
        batchSize.update(size);
        batchLatencyMs.update(latencyNanos / 1_000_000L);
    }

    /** One request answered, having generated {@code newTokens} tokens. */
    @Override
    public void onResult(int newTokens) {
        imagesPerSecond.markEvent();
        tokensPerSecond.markEvent(Math.max(0, newTokens));
    }

    @Override
    public void onRetry() {
        retries.inc();
    }

    public void onDeadLetter(FailureStage stage) {
        deadLetters.get(stage).inc();
    }

    public long retries() {
        return retries.getCount();
    }

    public long deadLetters(FailureStage stage) {
        return deadLetters.get(stage).getCount();
    }
}
