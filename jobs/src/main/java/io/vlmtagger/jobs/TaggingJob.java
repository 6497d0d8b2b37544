package io.vlmtagger.jobs;

import io.vlmtagger.models.api.FewShotTagger;
import io.vlmtagger.operators.fewshot.FewShotOperatorFactory;
import io.vlmtagger.operators.fewshot.FewShotOptions;
import io.vlmtagger.operators.fewshot.FewShotStage;
import io.vlmtagger.schemas.Exemplar;
import io.vlmtagger.jobs.config.ConfigException;
import io.vlmtagger.jobs.config.FlinkPassThrough;
import io.vlmtagger.jobs.config.JobConfig;
import io.vlmtagger.jobs.config.JobOptions;
import io.vlmtagger.jobs.config.SchemaOptions;
import io.vlmtagger.jobs.config.SearchBackend;
import io.vlmtagger.jobs.config.StartupOptions;
import io.vlmtagger.jobs.startup.StartupCheckException;
import io.vlmtagger.jobs.startup.StartupChecks;
import io.vlmtagger.models.api.ImageCaptioner;
import io.vlmtagger.models.api.VisualChatModel;
import io.vlmtagger.operators.chat.ChatOperator;
import io.vlmtagger.operators.chat.ChatOperatorFactory;
import io.vlmtagger.operators.deadletter.DeadLetters;
import io.vlmtagger.operators.fetch.AsyncFetchFunction;
import io.vlmtagger.operators.fetch.FetchOptions;
import io.vlmtagger.operators.fetch.FetcherOptions;
import io.vlmtagger.operators.deadletter.OutcomeRouter;
import io.vlmtagger.operators.caption.CaptionFunction;
import io.vlmtagger.operators.stage.InferenceOptions;
import io.vlmtagger.operators.stage.InferenceSettings;
import io.vlmtagger.operators.caption.TagExtractor;
import io.vlmtagger.operators.ingest.DecodeFunction;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.operators.results.ResultMerge;
import io.vlmtagger.operators.results.ResultMergeOptions;
import io.vlmtagger.operators.results.ResultPart;
import io.vlmtagger.operators.search.lucene.LuceneSink;
import io.vlmtagger.operators.search.opensearch.OpensearchSink;
import io.vlmtagger.operators.runtime.ModelProvider;
import io.vlmtagger.operators.runtime.ModelSpec;
import io.vlmtagger.operators.tags.CaptionTagger;
import io.vlmtagger.schemas.ChatAnswer;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.TaskType;
import io.vlmtagger.schemas.flink.AvroKafkaRecordSerializer;
import io.vlmtagger.schemas.flink.RawKafkaRecord;
import io.vlmtagger.schemas.writers.WriterSchemaSources;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.CheckpointingMode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The tagging job: Kafka image events -> decode -> fetch -> BLIP-2 captions -> tags -> Kafka
 * (exactly-once) + search index; events with a question also go to LLaVA, keyed by conversation.
 * Every per-record failure becomes a dead letter on the dead-letter topic; none fails the job.
 *
 * <p>An event's {@code tasks} pick the paths: CAPTION (the default) gives caption and tags; CHAT with
 * a question gives a {@code ChatAnswer} on the chat-answers topic plus question and answer;
 * FEW_SHOT_TAGS gives tags. Whatever it asked for, an event yields ONE {@code EnrichedImage} on the
 * captions topic and in the search index holding every part ({@link ResultMerge}, keyed by event
 * id), so that a compacted topic and the upserting index never lose one part to another. Without {@code
 * model.chat.checkpoint}, questions are dead-lettered with reason {@code chat_disabled}. FEW_SHOT_TAGS
 * events are tagged by IDEFICS from the exemplars topic (broadcast state) when {@code
 * model.few-shot.checkpoint} is set, else dead-lettered with reason {@code few_shot_disabled}.
 *
 * <p>{@link #main} is the entry point for {@code flink run} and plain {@code java}; tests and the local runner build the
 * graph with {@link #builder()} and inject their own {@link ModelProvider}s.
 */
public final class TaggingJob {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TaggingJob.class);

    private final JobConfig config;
    private final ModelProvider<ImageCaptioner> captioners;
    private final ModelProvider<VisualChatModel> chatModels;
    private final ModelProvider<FewShotTagger> fewShotTaggers;

    private TaggingJob(Builder b) {
        this.config = b.config;
        this.captioners = b.captioners;
        this.chatModels = b.chatModels;
        this.fewShotTaggers = b.fewShotTaggers;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Entry point of {@code flink run -c io.vlmtagger.jobs.TaggingJob jobs.jar --key value ...} and of
     * plain {@code java -cp ... io.vlmtagger.jobs.TaggingJob --key value ...} (then the job runs in an
     * embedded cluster bound to the loopback interface). A configuration error or a failed start-up
     * check ends the start with one message: on stderr and exit code 2 under plain {@code java},
     * as the program's exception under {@code flink run}.
     */
    public static void main(String[] args) throws Exception {
        if (java.util.Arrays.asList(args).contains("--help")) {
            System.out.println("TaggingJob options (--key value, --key=value, --config file.properties):");
            System.out.print(io.vlmtagger.jobs.config.OptionsDocs.table());
            return;
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        boolean inThisJvm = env instanceof LocalStreamEnvironment;
        if (inThisJvm) {
            env = LoopbackCluster.environment(Runtime.getRuntime().availableProcessors(), new Configuration());
        }
        JobConfig config;
        try {
            config = prepare(args, env, inThisJvm);
        } catch (ConfigException | StartupCheckException e) {
            String what = e instanceof ConfigException ? "configuration error: " : "start-up check failed: ";
            if (!inThisJvm) {
                throw e;
            }
            System.err.println(what + e.getMessage());
            System.exit(2);
            return;
        }
        env.execute(config.get(JobOptions.JOB_NAME));
    }

    /**
     * Parses {@code args}, runs the start-up checks (unless {@code startup.checks} is false) and
     * adds the job with the production model providers to {@code env}.
     *
     * @throws ConfigException for a bad or missing option
     * @throws StartupCheckException when a check failed
     */
    static JobConfig prepare(String[] args, StreamExecutionEnvironment env, boolean inThisJvm) {
        JobConfig config = JobConfig.fromArgs(args);
        TaggingJob job = builder()
                .setConfig(config)
                .setCaptionerProvider(CheckpointModels.captioners())
                .optChatModelProvider(CheckpointModels.chatModels())
                .optFewShotTaggerProvider(CheckpointModels.fewShotTaggers())
                .build();
        if (config.get(StartupOptions.CHECKS_ENABLED)) {
            // the job's own checkpoint.dir / execution.checkpointing.* keys count, as addTo applies them
            StartupChecks.run(config, flinkConfiguration(env, FlinkPassThrough.configuration(config)), inThisJvm);
        }
        job.addTo(env);
        LOG.info("vlm-tagger: reading {} at {}; captions to {}, dead letters to {}{}; checkpoints every {}",
                config.get(JobOptions.TOPIC_INPUT), config.get(JobOptions.KAFKA_BOOTSTRAP_SERVERS),
                config.get(JobOptions.TOPIC_CAPTIONS), config.get(JobOptions.TOPIC_DEAD_LETTERS),
                config.getOptional(JobOptions.MODEL_CHAT_CHECKPOINT).isPresent()
                        ? ", answers to " + config.get(JobOptions.TOPIC_CHAT_ANSWERS) : "",
                config.get(JobOptions.CHECKPOINT_INTERVAL));
        return config;
    }

    /** The environment's Flink settings with the job's pass-through keys ({@code jobSettings}) over them. */
    private static Configuration flinkConfiguration(StreamExecutionEnvironment env, Configuration jobSettings) {
        Configuration merged = Configuration.fromMap(env.getConfiguration().toMap());
        merged.addAll(jobSettings);
        return merged;
    }

    public JobConfig config() {
        return config;
    }

    /**
     * Configures checkpointing (interval, storage: {@code checkpoint.dir} and Flink's own
     * {@code execution.checkpointing.*} / {@code state.*} keys) and parallelism on {@code env} and
     * adds the job's operators to it.
     */
    public void addTo(StreamExecutionEnvironment env) {
        Configuration flinkSettings = FlinkPassThrough.configuration(config);
        if (!flinkSettings.keySet().isEmpty()) {
            // configure() re-applies defaults for what it is not given (it dropped the checkpoint
            // storage an environment was created with): give it the environment's settings too
            env.configure(flinkConfiguration(env, flinkSettings));
        }
        env.enableCheckpointing(config.get(JobOptions.CHECKPOINT_INTERVAL).toMillis(), CheckpointingMode.EXACTLY_ONCE);
        // Without object reuse Flink deep-copies every record between chained operators (the Avro
        // ImageEvent with its image bytes, once per hop and once per branch of the three task
        // filters): about a third of the task thread's CPU with a no-op model (docs/performance.md,
        // P3). Safe here: no function of this job mutates or keeps its input after emitting, the two
        // async operators copy what they keep (AsyncWaitOperator does so with reuse on), and every
        // other stage is behind a network edge.
        env.getConfig().enableObjectReuse();
        int parallelism = config.get(JobOptions.JOB_PARALLELISM);
        if (parallelism > 0) {
            env.setParallelism(parallelism);
        }

        DataStream<RawKafkaRecord> raw = env
                .fromSource(KafkaSources.images(config), WatermarkStrategy.noWatermarks(), "kafka-input")
                .uid("kafka-input");

        SingleOutputStreamOperator<ImageTask> decoded = raw
                .process(DecodeFunction.builder().optMaxRecordBytes(maxRecordBytes())
                        .optWriterSchemas(writerSchemaSources()).build())
                .name("decode").uid("decode");

        SingleOutputStreamOperator<ImageTask> fetched = AsyncFetchFunction
                .apply(decoded, fetcherOptions())
                .name("fetch").uid("fetch")
                .process(OutcomeRouter.of(ImageTask.class))
                .name("fetch-route").uid("fetch-route");

        DataStream<ImageTask> toCaption = fetched
                .filter(TaggingJob::wantsCaption).name("wants-caption").uid("wants-caption");

        SingleOutputStreamOperator<EnrichedImage> captioned = CaptionFunction
                .apply(toCaption, captionFunction())
                .name("caption").uid("caption")
                .process(OutcomeRouter.of(EnrichedImage.class))
                .name("caption-route").uid("caption-route");

        DataStream<DeadLetter> deadLetters = decoded.getSideOutput(DeadLetters.TAG)
                .union(fetched.getSideOutput(DeadLetters.TAG), captioned.getSideOutput(DeadLetters.TAG));
        // every part of an event (caption, answer, few-shot tags) meets the others in the merge
        DataStream<ResultPart> parts = fetched
                .flatMap(TaggingJob::expect, ResultMerge.PART_TYPE)
                .name("merge-expect").uid("merge-expect")
                .union(ResultMerge.results(captioned, ResultPart.CAPTION),
                        ResultMerge.failures(captioned.getSideOutput(DeadLetters.TAG), ResultPart.CAPTION));

        DataStream<ImageTask> questions = fetched
                .filter(TaggingJob::wantsChat).name("wants-chat").uid("wants-chat");
        if (chatModels != null && config.getOptional(JobOptions.MODEL_CHAT_CHECKPOINT).isPresent()) {
            SingleOutputStreamOperator<ChatAnswer> answers = ChatOperatorFactory.apply(questions, chatFactory());
            answers.sinkTo(KafkaSinks.exactlyOnce(config, "chat-answers",
                            AvroKafkaRecordSerializer.chatAnswers(config.get(JobOptions.TOPIC_CHAT_ANSWERS))))
                    .name("chat-answers-sink").uid("chat-answers-sink");
            parts = parts.union(ResultMerge.results(answers.getSideOutput(ChatOperator.ENRICHED), ResultPart.CHAT),
                    ResultMerge.failures(answers.getSideOutput(DeadLetters.TAG), ResultPart.CHAT));
            deadLetters = deadLetters.union(answers.getSideOutput(DeadLetters.TAG));
        } else {
            SingleOutputStreamOperator<DeadLetter> disabled = questions
                    .process(TaskDisabled.chat(JobOptions.MODEL_CHAT_CHECKPOINT.key()))
                    .name("chat-disabled").uid("chat-disabled");
            parts = parts.union(ResultMerge.failures(disabled, ResultPart.CHAT));
            deadLetters = deadLetters.union(disabled);
        }

        DataStream<ImageTask> fewShotEvents = fetched
                .filter(FewShotStage::wantsFewShot).name("wants-few-shot-tags").uid("wants-few-shot-tags");
        if (fewShotTaggers != null && config.getOptional(JobOptions.MODEL_FEW_SHOT_CHECKPOINT).isPresent()) {
            SingleOutputStreamOperator<EnrichedImage> fewShot =
                    FewShotStage.apply(fewShotEvents, exemplars(env), fewShotFactory());
            parts = parts.union(ResultMerge.results(fewShot, ResultPart.FEW_SHOT),
                    ResultMerge.failures(fewShot.getSideOutput(DeadLetters.TAG), ResultPart.FEW_SHOT));
            deadLetters = deadLetters.union(fewShot.getSideOutput(DeadLetters.TAG));
        } else {
            SingleOutputStreamOperator<DeadLetter> disabled = fewShotEvents
                    .process(TaskDisabled.fewShot(JobOptions.MODEL_FEW_SHOT_CHECKPOINT.key()))
                    .name("few-shot-disabled").uid("few-shot-disabled");
            parts = parts.union(ResultMerge.failures(disabled, ResultPart.FEW_SHOT));
            deadLetters = deadLetters.union(disabled);
        }

        DataStream<EnrichedImage> enriched = ResultMerge.apply(parts, config.get(ResultMergeOptions.MERGE_TIMEOUT));

        enriched.sinkTo(KafkaSinks.exactlyOnce(config, "captions",
                        AvroKafkaRecordSerializer.enrichedImages(config.get(JobOptions.TOPIC_CAPTIONS))))
                .name("captions-sink").uid("captions-sink");
        addSearchSink(enriched);

        deadLetters.sinkTo(KafkaSinks.exactlyOnce(config, "dead-letters",
                        AvroKafkaRecordSerializer.deadLetters(config.get(JobOptions.TOPIC_DEAD_LETTERS))))
                .name("dead-letters-sink").uid("dead-letters-sink");
    }

    /** What the merge waits for from {@code task}; nothing for an event no path takes (then no part comes). */
    private static void expect(ImageTask task, org.apache.flink.util.Collector<ResultPart> out) {
        List<String> parts = expectedParts(task);
        if (!parts.isEmpty()) {
            out.collect(ResultPart.expected(task.eventId(), parts));
        }
    }

    /** The result parts {@code task} will produce (each a result or a dead letter), in output order. */
    static List<String> expectedParts(ImageTask task) {
        List<String> parts = new ArrayList<>(3);
        if (wantsCaption(task)) {
            parts.add(ResultPart.CAPTION);
        }
        if (wantsChat(task)) {
            parts.add(ResultPart.CHAT);
        }
        if (FewShotStage.wantsFewShot(task)) {
            parts.add(ResultPart.FEW_SHOT);
        }
        return parts;
    }

    /** Events whose tasks include CAPTION (the default when an event names no task). */
    static boolean wantsCaption(ImageTask task) {
        List<TaskType> tasks = task.event.getTasks();
        return tasks == null || tasks.isEmpty() || tasks.contains(TaskType.CAPTION);
    }

    /** Events with a question whose tasks include CHAT. */
    static boolean wantsChat(ImageTask task) {
        String q = task.event.getQuestion();
        List<TaskType> tasks = task.event.getTasks();
        return q != null && !q.isBlank() && tasks != null && tasks.contains(TaskType.CHAT);
    }

    private void addSearchSink(DataStream<EnrichedImage> images) {
        SearchBackend backend = config.get(JobOptions.SEARCH_BACKEND);
        switch (backend) {
            case LUCENE -> images
                    .sinkTo(LuceneSink.builder()
                            .setIndexDirectory(Path.of(config.get(JobOptions.SEARCH_LUCENE_DIR)))
                            .build())
                    .setParallelism(1) // one IndexWriter per directory, see LuceneSink
                    .name("search-index").uid("search-index");
            case OPENSEARCH -> images
                    .sinkTo(opensearchSink())
                    .name("search-index").uid("search-index");
            case NONE -> { }
            default -> throw new IllegalStateException("unhandled search backend " + backend);
        }
    }

    /** Rejected documents (mapping conflicts) go to the dead-letter topic, never stalling the job. */
    private OpensearchSink opensearchSink() {
        var builder = OpensearchSink.builder()
                .setHosts(config.get(JobOptions.SEARCH_OPENSEARCH_HOSTS).toArray(new String[0]))
                .setIndexAlias(config.get(JobOptions.SEARCH_OPENSEARCH_INDEX))
                .optDeadLetterPublisher(KafkaDeadLetterPublisher.factory(
                        config.get(JobOptions.KAFKA_BOOTSTRAP_SERVERS), config.get(JobOptions.TOPIC_DEAD_LETTERS),
                        config.get(JobOptions.KAFKA_TRANSACTIONAL_ID_PREFIX) + "-search-dlq"));
        config.getOptional(JobOptions.SEARCH_OPENSEARCH_USERNAME).ifPresent(user ->
                builder.optBasicAuth(user, config.get(JobOptions.SEARCH_OPENSEARCH_PASSWORD)));
        config.getOptional(JobOptions.SEARCH_OPENSEARCH_TRUSTSTORE_PATH).ifPresent(path ->
                builder.optTrustStore(path, config.get(JobOptions.SEARCH_OPENSEARCH_TRUSTSTORE_PASSWORD)));
        return builder.build();
    }

    /** The exemplars topic (see {@link KafkaSources#exemplars}), one reader broadcasting to the few-shot subtasks. */
    private DataStream<Exemplar> exemplars(StreamExecutionEnvironment env) {
        return env.fromSource(KafkaSources.exemplars(config), WatermarkStrategy.noWatermarks(), "kafka-exemplars")
                .uid("kafka-exemplars")
                .setParallelism(1);
    }

    /** Few-shot on the same runtime and settings as the other stages: batched, on the subtask's device. */
    FewShotOperatorFactory fewShotFactory() {
        return FewShotOperatorFactory.builder()
                .setModelProvider(fewShotTaggers)
                .setModelSpec(modelSpec(JobOptions.MODEL_FEW_SHOT_CHECKPOINT.key(),
                        config.get(JobOptions.MODEL_FEW_SHOT_CHECKPOINT)))
                .optSettings(inferenceSettings())
                .optMaxExemplarsPerLabelSet(config.get(FewShotOptions.MAX_EXEMPLARS))
                .optMaxLabelSets(config.get(FewShotOptions.MAX_LABEL_SETS))
                .optExemplarCacheBytes(config.get(FewShotOptions.EXEMPLAR_CACHE_SIZE).getBytes())
                .build();
    }

    private CaptionFunction captionFunction() {
        CaptionTagger tagger = new CaptionTagger();
        TagExtractor tags = tagger::tags;
        CaptionFunction.Builder builder = CaptionFunction.builder()
                .setModelProvider(captioners)
                .setModelSpec(modelSpec(JobOptions.MODEL_CAPTION_CHECKPOINT.key(),
                        config.get(JobOptions.MODEL_CAPTION_CHECKPOINT)))
                .setTagExtractor(tags)
                .optSettings(inferenceSettings());
        int dedupEntries = config.get(JobOptions.CAPTION_DEDUP_CACHE_ENTRIES);
        if (dedupEntries >= 0) {
            builder.optDedup(dedupEntries);
        }
        return builder.build();
    }

    private ChatOperatorFactory chatFactory() {
        return ChatOperatorFactory.builder()
                .setModelProvider(chatModels)
                .setModelSpec(modelSpec(JobOptions.MODEL_CHAT_CHECKPOINT.key(),
                        config.get(JobOptions.MODEL_CHAT_CHECKPOINT)))
                .optSettings(inferenceSettings())
                .build();
    }

    ModelSpec modelSpec(String key, String checkpoint) {
        if (checkpoint == null || checkpoint.isBlank()) {
            throw new ConfigException(key + " is not set: give the checkpoint directory with --" + key + " <dir>");
        }
        return ModelSpec.of(checkpoint).withDtype(config.get(JobOptions.MODEL_DTYPE));
    }

    /** The operators' settings; {@code model.device} other than auto pins every subtask to that device. */
    InferenceSettings inferenceSettings() {
        Configuration c = config.toConfiguration();
        String device = config.get(JobOptions.MODEL_DEVICE);
        if (!device.equals("auto") && !config.isSet(InferenceOptions.DEVICES)) {
            c.set(InferenceOptions.DEVICES, List.of(device));
        }
        return InferenceSettings.fromConfig(c);
    }

    /** Where producers register ImageEvent writer schemas ({@link SchemaOptions}). */
    WriterSchemaSources writerSchemaSources() {
        WriterSchemaSources sources = WriterSchemaSources.none().withRetryInterval(config.get(SchemaOptions.RETRY_INTERVAL));
        if (config.getOptional(SchemaOptions.WRITER_DIR).isPresent()) {
            sources = sources.withDirectory(Path.of(config.get(SchemaOptions.WRITER_DIR)));
        }
        if (config.getOptional(SchemaOptions.WRITER_TOPIC).isPresent()) {
            sources = sources.withTopic(config.get(JobOptions.KAFKA_BOOTSTRAP_SERVERS), config.get(SchemaOptions.WRITER_TOPIC));
        }
        return sources;
    }

    FetcherOptions fetcherOptions() {
        return FetcherOptions.fromConfig(config.toConfiguration());
    }

    /** Kafka records may carry inline images up to the fetch cap plus room for the event's fields. */
    private int maxRecordBytes() {
        long cap = config.get(FetchOptions.MAX_BYTES).getBytes() + 64 * 1024;
        return (int) Math.min(Integer.MAX_VALUE - 8, cap);
    }

    /** Builder: configuration and caption model provider are required. */
    public static final class Builder {
        private JobConfig config;
        private ModelProvider<ImageCaptioner> captioners;
        private ModelProvider<VisualChatModel> chatModels;
        private ModelProvider<FewShotTagger> fewShotTaggers;

        private Builder() {}

        public Builder setConfig(JobConfig config) {
            this.config = config;
            return this;
        }

        /** Where the caption operators get their BLIP-2 handles (tests: fakes; production: {@link CheckpointModels}). */
        public Builder setCaptionerProvider(ModelProvider<ImageCaptioner> provider) {
            this.captioners = provider;
            return this;
        }

        /** Where the chat operator gets its LLaVA handles; needed only with {@code model.chat.checkpoint}. */
        public Builder optChatModelProvider(ModelProvider<VisualChatModel> provider) {
            this.chatModels = provider;
            return this;
        }

        /** Where the few-shot stage gets its IDEFICS handles; needed only with {@code model.few-shot.checkpoint}. */
        public Builder optFewShotTaggerProvider(ModelProvider<FewShotTagger> provider) {
            this.fewShotTaggers = provider;
            return this;
        }

        public TaggingJob build() {
            if (config == null) {
                throw new IllegalArgumentException("TaggingJob needs a configuration: call setConfig(JobConfig.fromArgs(args))");
            }
            if (captioners == null) {
                throw new IllegalArgumentException("TaggingJob needs a caption model provider: call setCaptionerProvider(...)"
                        + " (CheckpointModels.captioners() loads real checkpoints)");
            }
            if (config.getOptional(JobOptions.MODEL_CAPTION_CHECKPOINT).isEmpty()) {
                throw new ConfigException(JobOptions.MODEL_CAPTION_CHECKPOINT.key()
                        + " is not set: give the BLIP-2 checkpoint directory with --"
                        + JobOptions.MODEL_CAPTION_CHECKPOINT.key() + " <dir>, or the shipped tiny one with --"
                        + JobOptions.MODEL_CAPTION_CHECKPOINT.key() + " " + BuiltinCheckpoints.PREFIX + "tiny-blip2-shapes");
            }
            if (config.getOptional(JobOptions.MODEL_FEW_SHOT_CHECKPOINT).isPresent() && fewShotTaggers == null) {
                throw new IllegalArgumentException(JobOptions.MODEL_FEW_SHOT_CHECKPOINT.key()
                        + " is set but no few-shot model provider was given: call optFewShotTaggerProvider(...)");
            }
            if (config.getOptional(JobOptions.MODEL_CHAT_CHECKPOINT).isPresent() && chatModels == null) {
                throw new IllegalArgumentException(JobOptions.MODEL_CHAT_CHECKPOINT.key()
                        + " is set but no chat model provider was given: call optChatModelProvider(...)");
            }
            Objects.requireNonNull(config);
            return new TaggingJob(this);
        }
    }
}
