package io.vlmtagger.operators.stage;

import io.vlmtagger.schemas.FailureStage;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class InferenceMetricsTest {

    /** Keeps what was registered, by name. */
    static final class RecordingGroup extends UnregisteredMetricsGroup {
        final Map<String, Metric> metrics = new HashMap<>();

        @Override
        public <C extends Counter> C counter(String name, C counter) {
            metrics.put(name, counter);
            return counter;
        }

        @Override
        public Counter counter(String name) {
            return counter(name, new org.apache.flink.metrics.SimpleCounter());
        }

        @Override
        public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
            metrics.put(name, gauge);
            return gauge;
        }

        @Override
        public <H extends Histogram> H histogram(String name, H histogram) {
            metrics.put(name, histogram);
            return histogram;
        }

        @Override
        public <M extends Meter> M meter(String name, M meter) {
            metrics.put(name, meter);
            return meter;
        }
    }

    @Test
    void registersTheNamesWithUnitsAndCounts() {
        RecordingGroup group = new RecordingGroup();
        InferenceMetrics m = new InferenceMetrics(group);
        assertThat(group.metrics).containsKeys("inference_batch_size", "inference_batch_latency_ms",
                "inference_queue_depth", "images_per_second", "generated_tokens_per_second", "model_load_time_ms",
                "inference_retries", "dead_letters_preprocess", "dead_letters_inference");

        m.onBatch(4, 12_000_000L, true);
        m.onBatch(2, 3_000_000L, false);
        m.setQueueDepth(() -> 5);
        m.setModelLoadTimeMs(1234);
        m.onRetry();
        m.onDeadLetter(FailureStage.PREPROCESS);
        m.onResult(7);

        Histogram sizes = (Histogram) group.metrics.get("inference_batch_size");
        assertThat(sizes.getCount()).isEqualTo(2);
        assertThat(sizes.getStatistics().getMax()).isEqualTo(4);
        assertThat(((Histogram) group.metrics.get("inference_batch_latency_ms")).getStatistics().getMax()).isEqualTo(12);
        assertThat(((Gauge<?>) group.metrics.get("inference_queue_depth")).getValue()).isEqualTo(5);
        assertThat(((Gauge<?>) group.metrics.get("model_load_time_ms")).getValue()).isEqualTo(1234L);
        assertThat(((Counter) group.metrics.get("inference_retries")).getCount()).isEqualTo(1);
        assertThat(((Counter) group.metrics.get("dead_letters_preprocess")).getCount()).isEqualTo(1);
        assertThat(((Counter) group.metrics.get("dead_letters_inference")).getCount()).isZero();
        assertThat(((Meter) group.metrics.get("generated_tokens_per_second")).getCount()).isEqualTo(7);
        assertThat(((Meter) group.metrics.get("images_per_second")).getCount()).isEqualTo(1);
    }
}
