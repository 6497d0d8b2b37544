package io.vlmtagger.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.vlmtagger.jobs.config.JobConfig;
import io.vlmtagger.jobs.config.JobOptions;
import io.vlmtagger.jobs.kafka.TopicReader;
import io.vlmtagger.jobs.testutils.PipelineHarness;
import io.vlmtagger.models.api.FewShotTagger;
import io.vlmtagger.operators.deadletter.DeadLetters;
import io.vlmtagger.operators.fetch.AsyncFetchFunction;
import io.vlmtagger.operators.fetch.FetcherOptions;
import io.vlmtagger.operators.deadletter.OutcomeRouter;
import io.vlmtagger.operators.fewshot.ExemplarDeserializationSchema;
import io.vlmtagger.operators.fewshot.FewShotOperator;
import io.vlmtagger.operators.fewshot.FewShotOperatorFactory;
import io.vlmtagger.operators.fewshot.FewShotStage;
import io.vlmtagger.operators.ingest.DecodeFunction;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.operators.runtime.ModelProvider;
import io.vlmtagger.operators.runtime.ModelSpec;
import io.vlmtagger.operators.testutils.NearestExemplarTagger;
import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.Exemplar;
import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.TaskType;
import io.vlmtagger.schemas.flink.AvroKafkaRecordSerializer;
import io.vlmtagger.schemas.serde.AvroCodec;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Few-shot tagging end to end on a real broker and the MiniCluster: exemplars published to the
 * exemplars topic change the tags of later FEW_SHOT_TAGS events while the job keeps running (no
 * restart: the restart strategy is {@code none}, so any failure would end the job).
 *
 * <p>The model is a stand-in ({@link NearestExemplarTagger}): it answers the tags of the exemplar
 * whose mean colour is nearest to the query's, so its answer depends only on the exemplars the
 * operator hands it. Broadcast updates and events travel on different inputs and are not ordered against
 * each other, so "later" is established by probing: after a publication, probe events are sent
 * until a whole round shows the new tags; the events published after that must all show them.
 */
class FewShotITCase {
    private static final String EXEMPLARS_TOPIC = "image-exemplars";
    private static final int RED = 0xdd2222;
    private static final int BLUE = 0x2222dd;
    private static final int GREEN = 0x22dd22;

    @RegisterExtension
    static final MiniClusterExtension FLINK = PipelineHarness.miniCluster();

    @TempDir
    Path tmp;

    private PipelineHarness harness;
    private final Map<String, EnrichedImage> results = new HashMap<>();
    private int probeRound;

    @BeforeEach
    void setUp() {
        harness = new PipelineHarness(tmp);
        harness.kafka().createTopics(1, EXEMPLARS_TOPIC);
    }

    @AfterEach
    void tearDown() {
        harness.close();
    }

    @Test
    void newExemplarsChangeTheTagsOfLaterEventsWithoutARestart() throws Exception {
        JobConfig config = harness.config();
        Configuration conf = new Configuration();
        conf.setString("restart-strategy.type", "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        buildJob(env, config);
        JobClient job = env.executeAsync("few-shot-itcase");
        try (TopicReader captions = new TopicReader(harness.kafka().bootstrapServers(), "image-captions", true)) {
            publish(exemplar("a1", RED, 1, "red", "circle"), exemplar("a2", BLUE, 2, "blue", "square"),
                    exemplar("a3", GREEN, 3, "green", "triangle"));
            awaitProbesTagged(captions, List.of("red", "circle"));

            sendEvents("early-red", RED, "early-blue", BLUE, "early-green", GREEN);
            Map<String, EnrichedImage> early = read(captions, "early-red", "early-blue", "early-green");
            assertThat(early.get("early-red").getTags()).containsExactly("red", "circle");
            assertThat(early.get("early-blue").getTags()).containsExactly("blue", "square");
            assertThat(early.get("early-green").getTags()).containsExactly("green", "triangle");
            assertThat(early.get("early-red").getAttributes()).containsEntry(FewShotOperator.ATTR_EXEMPLARS, "3");

            // new labels for the same images (replacing a1 and a2 by id) and a tombstone for a3
            publish(exemplar("a1", RED, 10, "crimson"), exemplar("a2", BLUE, 11, "navy"), tombstone("a3", 12));
            awaitProbesTagged(captions, List.of("crimson"));

            sendEvents("late-red", RED, "late-blue", BLUE);
            Map<String, EnrichedImage> late = read(captions, "late-red", "late-blue");
            assertThat(late.get("late-red").getTags()).containsExactly("crimson");
            assertThat(late.get("late-blue").getTags()).containsExactly("navy");
            assertThat(late.get("late-red").getAttributes()).containsEntry(FewShotOperator.ATTR_EXEMPLARS, "2");
            assertThat(late.get("late-red").getModels().get(0).getStage()).isEqualTo(FewShotOperator.STAGE);

            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        } finally {
            job.cancel().get();
        }
    }

    private void buildJob(StreamExecutionEnvironment env, JobConfig config) {
        env.enableCheckpointing(config.get(JobOptions.CHECKPOINT_INTERVAL).toMillis());
        env.setParallelism(2);
        SingleOutputStreamOperator<ImageTask> fetched = AsyncDataStream
                .unorderedWait(env.fromSource(KafkaSources.images(config), WatermarkStrategy.noWatermarks(), "images")
                                .process(DecodeFunction.builder().build()),
                        new AsyncFetchFunction(FetcherOptions.builder().build()), 10, TimeUnit.SECONDS, 10)
                .returns(AsyncFetchFunction.OUTPUT_TYPE)
                .process(OutcomeRouter.of(ImageTask.class));
        DataStream<Exemplar> exemplars = env.fromSource(KafkaSource.<Exemplar>builder()
                        .setBootstrapServers(harness.kafka().bootstrapServers())
                        .setTopics(EXEMPLARS_TOPIC)
                        .setGroupId("few-shot-itcase-exemplars")
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setDeserializer(new ExemplarDeserializationSchema())
                        .build(), WatermarkStrategy.noWatermarks(), "exemplars")
                .setParallelism(1);
        ModelProvider<FewShotTagger> provider = (spec, device) -> new NearestExemplarTagger().open(device);
        SingleOutputStreamOperator<EnrichedImage> tagged = FewShotStage.apply(fetched, exemplars,
                FewShotOperatorFactory.builder().setModelProvider(provider).setModelSpec(ModelSpec.of("nearest-colour"))
                        .optMaxExemplarsPerLabelSet(4).build());
        tagged.sinkTo(KafkaSinks.exactlyOnce(config, "captions",
                AvroKafkaRecordSerializer.enrichedImages(config.get(JobOptions.TOPIC_CAPTIONS))));
        tagged.getSideOutput(DeadLetters.TAG).sinkTo(KafkaSinks.exactlyOnce(config, "dead-letters",
                AvroKafkaRecordSerializer.deadLetters(config.get(JobOptions.TOPIC_DEAD_LETTERS))));
    }

    /** Sends rounds of red probe events until every probe of one round comes back with {@code expected}. */
    private void awaitProbesTagged(TopicReader captions, List<String> expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            int round = ++probeRound;
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ids.add("probe-" + round + "-" + i);
            }
            sendEvents(ids.get(0), RED, ids.get(1), RED, ids.get(2), RED, ids.get(3), RED);
            long roundEnd = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < roundEnd && !ids.stream().allMatch(results::containsKey)) {
                collect(captions);
            }
            if (ids.stream().allMatch(id -> results.containsKey(id) && results.get(id).getTags().equals(expected))) {
                return;
            }
        }
        throw new AssertionError("no probe round was tagged " + expected + " within 90 s; results so far: "
                + results.keySet());
    }

    private Map<String, EnrichedImage> read(TopicReader captions, String... ids) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && !List.of(ids).stream().allMatch(results::containsKey)) {
            collect(captions);
        }
        Map<String, EnrichedImage> out = new HashMap<>();
        for (String id : ids) {
            assertThat(results).as("result for %s", id).containsKey(id);
            out.put(id, results.get(id));
        }
        return out;
    }

    private void collect(TopicReader captions) {
        AvroCodec<EnrichedImage> codec = AvroCodec.of(EnrichedImage.class);
        List<ConsumerRecord<byte[], byte[]>> all = captions.poll(Duration.ofMillis(200));
        for (ConsumerRecord<byte[], byte[]> r : all) {
            try {
                EnrichedImage e = codec.decode(r.value());
                results.putIfAbsent(e.getEventId().toString(), e);
            } catch (Exception ex) {
                throw new AssertionError("undecodable record on the captions topic", ex);
            }
        }
    }

    /** {@code id, colour, id, colour, ...} as FEW_SHOT_TAGS events for label set "shapes". */
    private void sendEvents(Object... idsAndColours) throws Exception {
        harness.produce(b -> b.optTasks(List.of(TaskType.FEW_SHOT_TAGS)), p -> {
            for (int i = 0; i + 1 < idsAndColours.length; i += 2) {
                ImageEvent e = p.eventForBytes(NearestExemplarTagger.solidPng((Integer) idsAndColours[i + 1], 8), "image/png");
                e.setEventId((String) idsAndColours[i]);
                e.setAttributes(Map.of(FewShotOperator.DEFAULT_LABEL_SET_ATTRIBUTE, "shapes"));
                p.send(e).get();
            }
        });
    }

    private void publish(Exemplar... exemplars) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, harness.kafka().bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        AvroCodec<Exemplar> codec = AvroCodec.of(Exemplar.class);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (Exemplar e : exemplars) {
                producer.send(new ProducerRecord<>(EXEMPLARS_TOPIC, codec.encode(e))).get();
            }
        }
    }

    private static Exemplar exemplar(String id, int rgb, long publishedMs, String... tags) {
        return Exemplar.newBuilder().setExemplarId(id).setLabelSet("shapes").setImage(ByteBuffer.wrap(NearestExemplarTagger.solidPng(rgb, 8)))
                .setTags(List.of(tags)).setPublishedAt(Instant.ofEpochMilli(publishedMs)).build();
    }

    private static Exemplar tombstone(String id, long publishedMs) {
        return Exemplar.newBuilder().setExemplarId(id).setLabelSet("shapes").setImage(ByteBuffer.allocate(0))
                .setPublishedAt(Instant.ofEpochMilli(publishedMs)).setDeleted(true).build();
    }
}
