package io.vlmtagger.jobs.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

import java.time.Duration;
import java.util.List;

/**
 * Every option of the tagging job itself: Kafka, topics, checkpoints, model checkpoints and
 * search. Each stage's own knobs live next to it in the operators module ({@code
 * stage.InferenceOptions}: batching, retries, devices, in-flight bytes, generation, chat history;
 * {@code fetch.FetchOptions}; {@code fewshot.FewShotOptions}); {@link OptionsRegistry} is the one
 * list of all of them, and the README's table is generated from it. Settable with {@code --key
 * value} on the command line or in a {@code --config file.properties} (see {@link JobConfig}).
 */
public final class JobOptions {

    // ---- Kafka -----------------------------------------------------------------------------

    public static final ConfigOption<String> KAFKA_BOOTSTRAP_SERVERS =
            ConfigOptions.key("kafka.bootstrap-servers")
                    .stringType()
                    .defaultValue("localhost:9092")
                    .withDescription("Kafka bootstrap servers, comma separated host:port list.");

    public static final ConfigOption<String> KAFKA_GROUP_ID =
            ConfigOptions.key("kafka.group-id")
                    .stringType()
                    .defaultValue("vlm-tagger")
                    .withDescription("Consumer group id of the input source (offsets are committed on checkpoints).");

    public static final ConfigOption<StartingOffsets> KAFKA_STARTING_OFFSETS =
            ConfigOptions.key("kafka.starting-offsets")
                    .enumType(StartingOffsets.class)
                    .defaultValue(StartingOffsets.EARLIEST)
                    .withDescription("Where to start reading the input topic when the group has no committed offset: earliest or latest.");

    public static final ConfigOption<String> KAFKA_TRANSACTIONAL_ID_PREFIX =
            ConfigOptions.key("kafka.transactional-id-prefix")
                    .stringType()
                    .defaultValue("vlm-tagger")
                    .withDescription("Prefix of the exactly-once sinks' transactional ids; must be unique per job on a cluster.");

    public static final ConfigOption<Duration> KAFKA_TRANSACTION_TIMEOUT =
            ConfigOptions.key("kafka.transaction-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(60))
                    .withDescription("Producer transaction.timeout.ms of the exactly-once sinks; must not exceed the broker's transaction.max.timeout.ms and must exceed the checkpoint interval.");

    // ---- Topics ----------------------------------------------------------------------------

    public static final ConfigOption<String> TOPIC_INPUT =
            ConfigOptions.key("topic.input")
                    .stringType()
                    .defaultValue("images")
                    .withDescription("Input topic of ImageEvent records (Avro binary).");

    public static final ConfigOption<String> TOPIC_CAPTIONS =
            ConfigOptions.key("topic.captions")
                    .stringType()
                    .defaultValue("image-captions")
                    .withDescription("Output topic of EnrichedImage records, keyed by event id, written exactly-once.");

    public static final ConfigOption<String> TOPIC_CHAT_ANSWERS =
            ConfigOptions.key("topic.chat-answers")
                    .stringType()
                    .defaultValue("chat-answers")
                    .withDescription("Output topic of ChatAnswer records, keyed by conversation id, written exactly-once.");

    public static final ConfigOption<String> TOPIC_DEAD_LETTERS =
            ConfigOptions.key("topic.dead-letters")
                    .stringType()
                    .defaultValue("image-dead-letters")
                    .withDescription("Dead-letter topic of DeadLetter records (undecodable events, failed fetches, failed inference).");

    public static final ConfigOption<String> TOPIC_EXEMPLARS =
            ConfigOptions.key("topic.exemplars")
                    .stringType()
                    .defaultValue("exemplars")
                    .withDescription("Topic of Exemplar records for few-shot tagging (read from the earliest offset into broadcast state when model.few-shot.checkpoint is set; make it compacted).");

    // ---- Job and checkpoints ---------------------------------------------------------------

    public static final ConfigOption<String> JOB_NAME =
            ConfigOptions.key("job.name")
                    .stringType()
                    .defaultValue("vlm-tagger")
                    .withDescription("Flink job name.");

    public static final ConfigOption<Integer> JOB_PARALLELISM =
            ConfigOptions.key("job.parallelism")
                    .intType()
                    .defaultValue(-1)
                    .withDescription("Parallelism of the job's operators; -1 keeps the environment's default.");

    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
            ConfigOptions.key("checkpoint.interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription("Exactly-once checkpoint interval; Kafka output becomes visible to read_committed consumers at each checkpoint.");

    public static final ConfigOption<String> CHECKPOINT_DIR =
            ConfigOptions.key("checkpoint.dir")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Where Flink writes the job's checkpoints: a directory URI that the JobManager and every TaskManager"
                            + " can reach (s3://bucket/path, hdfs://..., file:///shared/volume). Sets execution.checkpointing.storage"
                            + " to filesystem and execution.checkpointing.dir. The async operators checkpoint their in-flight"
                            + " requests, encoded images included, so the JobManager's memory storage (5 MB) is too small for"
                            + " real photos. Unset: the cluster's setting (the local runner uses a folder under local.work-dir)."
                            + " Flink's own execution.checkpointing.* and state.* keys are accepted too and passed to the job as they are.");

    // ---- Models ----------------------------------------------------------------------------

    public static final ConfigOption<String> MODEL_CAPTION_CHECKPOINT =
            ConfigOptions.key("model.caption.checkpoint")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("BLIP-2 checkpoint directory (HuggingFace layout: config.json, *.safetensors, tokenizer.json, preprocessor_config.json). Required by the job; the local runner uses the shipped tiny-blip2-shapes when unset.");

    public static final ConfigOption<String> MODEL_CHAT_CHECKPOINT =
            ConfigOptions.key("model.chat.checkpoint")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("LLaVA checkpoint directory (HuggingFace layout). Unset: the chat path is off and events with a question are only captioned.");

    public static final ConfigOption<String> MODEL_FEW_SHOT_CHECKPOINT =
            ConfigOptions.key("model.few-shot.checkpoint")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("IDEFICS (Flamingo) checkpoint directory for FEW_SHOT_TAGS events, e.g. HuggingFaceM4/idefics-9b-instruct; without it such events are dead-lettered (few_shot_disabled).");

    public static final ConfigOption<Integer> CAPTION_DEDUP_CACHE_ENTRIES =
            ConfigOptions.key("caption.dedup.cache-entries")
                    .intType()
                    .defaultValue(-1)
                    .withDescription("Deduplicate captions by image hash (+ model revision, prompt and generation options): identical images in flight share one model call, and the last N results are cached so replays and repeated images skip the model. -1 turns it off, 0 shares in-flight requests only.");

    public static final ConfigOption<String> MODEL_DEVICE =
            ConfigOptions.key("model.device")
                    .stringType()
                    .defaultValue("auto")
                    .withDescription("Device of the models: auto (Flink's gpu external resource or inference.devices decide; else cpu), cpu, or gpu:N (every subtask on that device; shorthand for inference.devices).");

    public static final ConfigOption<String> MODEL_DTYPE =
            ConfigOptions.key("model.dtype")
                    .stringType()
                    .defaultValue("auto")
                    .withDescription("Compute dtype of the models: auto (float32 on CPU, float16 on a GPU), float32 or float16. bfloat16 is refused: DJL 0.36's PyTorch JNI aborts the JVM on bfloat16 tensors (bf16 checkpoint files load fine).");

    // ---- Search ----------------------------------------------------------------------------

    public static final ConfigOption<SearchBackend> SEARCH_BACKEND =
            ConfigOptions.key("search.backend")
                    .enumType(SearchBackend.class)
                    .defaultValue(SearchBackend.LUCENE)
                    .withDescription("Search sink: lucene (embedded index in search.lucene.dir), opensearch, or none.");

    public static final ConfigOption<String> SEARCH_LUCENE_DIR =
            ConfigOptions.key("search.lucene.dir")
                    .stringType()
                    .defaultValue("work-dir/search-index")
                    .withDescription("Directory of the embedded Lucene index.");

    public static final ConfigOption<List<String>> SEARCH_OPENSEARCH_HOSTS =
            ConfigOptions.key("search.opensearch.hosts")
                    .stringType()
                    .asList()
                    .defaultValues("http://localhost:9200")
                    .withDescription("OpenSearch HTTP endpoints, separated by ';'.");

    public static final ConfigOption<String> SEARCH_OPENSEARCH_INDEX =
            ConfigOptions.key("search.opensearch.index")
                    .stringType()
                    .defaultValue("images")
                    .withDescription("OpenSearch index the enriched images are upserted into (document id = event id).");

    public static final ConfigOption<String> SEARCH_OPENSEARCH_USERNAME =
            ConfigOptions.key("search.opensearch.username")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("OpenSearch basic-auth user; set together with search.opensearch.password.");

    public static final ConfigOption<String> SEARCH_OPENSEARCH_PASSWORD =
            ConfigOptions.key("search.opensearch.password")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("OpenSearch basic-auth password (never logged; prefer a properties file readable only by the job's user).");

    public static final ConfigOption<String> SEARCH_OPENSEARCH_TRUSTSTORE_PATH =
            ConfigOptions.key("search.opensearch.truststore.path")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Trust store (JKS or PKCS12) with the CA of an https:// OpenSearch cluster; the JVM default trust store when unset.");

    public static final ConfigOption<String> SEARCH_OPENSEARCH_TRUSTSTORE_PASSWORD =
            ConfigOptions.key("search.opensearch.truststore.password")
                    .stringType()
                    .defaultValue("")
                    .withDescription("Password of search.opensearch.truststore.path.");

    private JobOptions() {}
}
