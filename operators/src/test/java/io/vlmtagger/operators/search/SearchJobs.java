package io.vlmtagger.operators.search;

import io.vlmtagger.schemas.EnrichedImage;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Test jobs for the search sinks: a checkpointed sequence source, mapped to EnrichedImages,
 * optionally failing once after a checkpoint so the job restarts and replays.
 */
public final class SearchJobs {
    // Per-JVM switches the serialized map functions find by name: a failure happens once per name.
    private static final Map<String, AtomicBoolean> FAILED = new ConcurrentHashMap<>();
    private static final Map<String, AtomicLong> SEEN = new ConcurrentHashMap<>();

    private SearchJobs() {}

    /** Makes the i-th image; serializable so that the job can carry it. */
    @FunctionalInterface
    public interface ImageFactory extends LongFunction<EnrichedImage>, java.io.Serializable {}

    /** Checkpoints every 200 ms; up to {@code restarts} restarts 100 ms apart. */
    public static StreamExecutionEnvironment environment(int parallelism, int restarts) {
        Configuration conf = new Configuration();
        conf.setString("restart-strategy.type", restarts > 0 ? "fixed-delay" : "none");
        conf.setString("restart-strategy.fixed-delay.attempts", String.valueOf(restarts));
        conf.setString("restart-strategy.fixed-delay.delay", "100 ms");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        env.enableCheckpointing(200);
        return env;
    }

    /**
     * Images 0..n-1 (see {@code images}); if {@code failAfter > 0}, the job fails once, after a
     * completed checkpoint and after {@code failAfter} images went through a subtask. Until then
     * each image takes {@code sleepMsPerImage} (50 ms while no checkpoint completed yet, so that
     * one does even on a busy machine); after the failure, none.
     */
    public static DataStream<EnrichedImage> images(
            StreamExecutionEnvironment env, long n, String failureName, long failAfter, long sleepMsPerImage,
            ImageFactory images) {
        FAILED.put(failureName, new AtomicBoolean(false));
        SEEN.put(failureName, new AtomicLong());
        return env.fromSequence(0, n - 1)
                .map(new ToImage(failureName, failAfter, sleepMsPerImage, images))
                .name("to-image");
    }

    public static boolean failed(String failureName) {
        return FAILED.get(failureName).get();
    }

    public static <S extends Sink<EnrichedImage>> void sink(DataStream<EnrichedImage> stream, S sink, int parallelism) {
        stream.sinkTo(sink).setParallelism(parallelism).name("search-sink");
    }

    private static final class ToImage extends RichMapFunction<Long, EnrichedImage> implements CheckpointListener {
        private final String failureName;
        private final long failAfter;
        private final long sleepMs;
        private final ImageFactory images;
        private transient boolean checkpointed;
        private transient long count;

        ToImage(String failureName, long failAfter, long sleepMs, ImageFactory images) {
            this.failureName = failureName;
            this.failAfter = failAfter;
            this.sleepMs = sleepMs;
            this.images = images;
        }

        @Override
        public void open(OpenContext openContext) {
            checkpointed = false;
            count = 0;
        }

        @Override
        public EnrichedImage map(Long i) throws Exception {
            boolean beforeFailure = failAfter > 0 && !FAILED.get(failureName).get();
            if (sleepMs > 0 && (failAfter == 0 || beforeFailure)) {
                Thread.sleep(beforeFailure && !checkpointed ? Math.max(sleepMs, 50) : sleepMs);
            }
            count++;
            SEEN.get(failureName).incrementAndGet();
            if (failAfter > 0 && checkpointed && count >= failAfter
                    && FAILED.get(failureName).compareAndSet(false, true)) {
                throw new IllegalStateException("Injected failure to test replay into the search sink");
            }
            return images.apply(i);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpointed = true;
        }
    }
}
