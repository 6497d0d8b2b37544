package io.vlmtagger.jobs.bench;

import io.vlmtagger.models.api.CaptionRequest;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.ImageCaptioner;
import io.vlmtagger.operators.fetch.AsyncFetchFunction;
import io.vlmtagger.operators.fetch.FetcherOptions;
import io.vlmtagger.operators.deadletter.OutcomeRouter;
import io.vlmtagger.operators.caption.CaptionResults;
import io.vlmtagger.operators.ingest.DecodeFunction;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.operators.runtime.ModelProvider;
import io.vlmtagger.operators.runtime.ModelSpec;
import io.vlmtagger.operators.runtime.ModelLease;
import io.vlmtagger.operators.tags.CaptionTagger;
import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.flink.AvroKafkaRecordSerializer;
import io.vlmtagger.schemas.flink.RawRecordDeserializationSchema;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The baseline of P2: what one writes first. Kafka -> decode -> fetch -> a synchronous {@code map()}
 * that preprocesses and captions one record at a time on the task thread -> exactly-once Kafka.
 * Same model handle, generation options, checkpointing and sink as the real job; no batching, no
 * async I/O, no preprocessing off the model thread.
 */
final class NaiveCaptionJob {
    private NaiveCaptionJob() {}

    static void addTo(StreamExecutionEnvironment env, String bootstrap, String inTopic, String outTopic,
                      ModelProvider<ImageCaptioner> provider, ModelSpec spec, String device, int maxNewTokens,
                      long checkpointMs) {
        env.enableCheckpointing(checkpointMs, CheckpointingMode.EXACTLY_ONCE);
        KafkaSource<io.vlmtagger.schemas.flink.RawKafkaRecord> source = KafkaSource.<io.vlmtagger.schemas.flink.RawKafkaRecord>builder()
                .setBootstrapServers(bootstrap).setTopics(inTopic).setGroupId("bench-naive")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new RawRecordDeserializationSchema()).build();
        Properties producer = new Properties();
        producer.setProperty("transaction.timeout.ms", "60000");
        KafkaSink<EnrichedImage> sink = KafkaSink.<EnrichedImage>builder()
                .setBootstrapServers(bootstrap)
                .setRecordSerializer(AvroKafkaRecordSerializer.enrichedImages(outTopic))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix("bench-naive")
                .setKafkaProducerConfig(producer).build();
        var decoded = env.fromSource(source, WatermarkStrategy.noWatermarks(), "kafka-input")
                .process(DecodeFunction.builder().build()).name("decode");
        var fetched = AsyncDataStream.unorderedWait(decoded, new AsyncFetchFunction(FetcherOptions.builder().build()),
                        30_000, TimeUnit.MILLISECONDS, 100)
                .returns(AsyncFetchFunction.OUTPUT_TYPE)
                .process(OutcomeRouter.of(ImageTask.class)).name("fetch-route");
        fetched.map(new CaptionOneByOne(provider, spec, device, maxNewTokens)).name("caption-sync")
                .sinkTo(sink).name("captions-sink");
    }

    /** One model call per record, on the task thread. */
    static final class CaptionOneByOne extends RichMapFunction<ImageTask, EnrichedImage> {
        private static final long serialVersionUID = 1L;
        private final ModelProvider<ImageCaptioner> provider;
        private final ModelSpec spec;
        private final String device;
        private final int maxNewTokens;
        private transient ModelLease<ImageCaptioner> slot;
        private transient GenerationOptions options;
        private transient CaptionTagger tagger;

        CaptionOneByOne(ModelProvider<ImageCaptioner> provider, ModelSpec spec, String device, int maxNewTokens) {
            this.provider = provider;
            this.spec = spec;
            this.device = device;
            this.maxNewTokens = maxNewTokens;
        }

        @Override
        public void open(OpenContext ctx) throws Exception {
            slot = ModelLease.acquire(provider, spec, device, "naive-caption");
            options = GenerationOptions.builder().optMaxNewTokens(maxNewTokens).build();
            tagger = new CaptionTagger();
        }

        @Override
        public EnrichedImage map(ImageTask task) throws Exception {
            ImageCaptioner model = slot.model();
            GenerationResult r = model.caption(List.of(new CaptionRequest(model.preprocess(task.imageBytes), null)),
                    options).get(0);
            return CaptionResults.captioned(task, r, tagger.tags(r.text()), model.info(), Instant.now());
        }

        @Override
        public void close() throws Exception {
            if (slot != null) {
                slot.close();
            }
        }
    }
}
