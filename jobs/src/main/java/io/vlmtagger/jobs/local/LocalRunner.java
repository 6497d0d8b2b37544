package io.vlmtagger.jobs.local;

import io.vlmtagger.operators.fetch.FetchOptions;
import io.vlmtagger.jobs.CheckpointModels;
import io.vlmtagger.jobs.LoopbackCluster;
import io.vlmtagger.jobs.TaggingJob;
import io.vlmtagger.jobs.config.ConfigException;
import io.vlmtagger.jobs.config.FlinkPassThrough;
import io.vlmtagger.jobs.config.JobConfig;
import io.vlmtagger.jobs.config.JobOptions;
import io.vlmtagger.jobs.config.LocalRunOptions;
import io.vlmtagger.jobs.config.SearchBackend;
import io.vlmtagger.jobs.kafka.EmbeddedKafka;
import io.vlmtagger.models.api.ImageCaptioner;
import io.vlmtagger.models.api.VisualChatModel;
import io.vlmtagger.operators.search.lucene.LuceneSearcher;
import io.vlmtagger.operators.search.lucene.SearchHit;
import io.vlmtagger.operators.runtime.ModelProvider;
import io.vlmtagger.schemas.ChatAnswer;
import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.TaskType;
import io.vlmtagger.schemas.producer.ImageEventProducer;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The one-command local run: an in-process Kafka broker, a Flink MiniCluster, the embedded Lucene
 * index and the tagging job, all in this JVM. It sends a set of images (generated shapes, or
 * {@code --images <folder>}), a two-turn conversation when a chat model is available and a
 * deliberately broken record, prints progress while the results arrive, and ends with a summary:
 * image -> caption -> tags (-> answer), throughput, latency percentiles, dead letters and a sample
 * search.
 *
 * <pre>
 * mvn -q -DskipTests install && mvn -q -pl jobs exec:exec
 * mvn -q -pl jobs exec:exec -Dargs="--images ~/pictures --blip2 /models/blip2 --llava /models/llava --device gpu:0"
 * </pre>
 */
public final class LocalRunner {

    static final String CONVERSATION = "local-conversation-1";
    /** Flink's checkpoints, under the work directory unless the user sets checkpoint.dir. */
    static final String FLINK_CHECKPOINTS = "flink-checkpoints";
    /** Questions in the closed grammar the tiny shapes checkpoint was trained on; true of any scene. */
    static final List<String> QUESTIONS = List.of("how many shapes are there?", "is there a circle?");

    private final JobConfig userConfig;
    private final PrintStream out;
    private final Function<LocalCheckpoints.Resolved, ModelProvider<ImageCaptioner>> captioners;
    private final Function<LocalCheckpoints.Resolved, ModelProvider<VisualChatModel>> chatModels;
    private final long startNanos = System.nanoTime();

    LocalRunner(JobConfig userConfig, PrintStream out,
                Function<LocalCheckpoints.Resolved, ModelProvider<ImageCaptioner>> captioners,
                Function<LocalCheckpoints.Resolved, ModelProvider<VisualChatModel>> chatModels) {
        this.userConfig = userConfig;
        this.out = out;
        this.captioners = captioners;
        this.chatModels = chatModels;
    }

    /** A runner on real checkpoints (given, or the trained tiny ones). */
    public static LocalRunner withCheckpoints(JobConfig config, PrintStream out) {
        return new LocalRunner(config, out, r -> CheckpointModels.captioners(), r -> CheckpointModels.chatModels());
    }

    public static void main(String[] args) {
        if (java.util.Arrays.asList(args).contains("--help")) {
            System.out.println("vlm-tagger local run: mvn -q -pl jobs exec:exec -Dargs=\"[--key value ...]\"");
            System.out.println("short flags: --images <folder>, --blip2 <dir>, --llava <dir>, --device auto|cpu|gpu:N;"
                    + " --config file.properties; every option below as --key value");
            System.out.print(io.vlmtagger.jobs.config.OptionsDocs.table());
            return;
        }
        int code;
        try {
            JobConfig config = JobConfig.fromArgs(args, JobConfig.LOCAL_ALIASES);
            RunReport report = withCheckpoints(config, System.out).run();
            code = report.complete() ? 0 : 1;
            if (!report.jobFailure().isEmpty()) {
                System.err.println("the job failed: " + String.join(System.lineSeparator() + "  ", report.jobFailure()));
            }
        } catch (ConfigException e) {
            System.err.println("configuration error: " + e.getMessage());
            code = 2;
        } catch (Exception e) {
            System.err.println("local run failed: " + String.join(System.lineSeparator() + "  ", JobFailure.describe(e)));
            e.printStackTrace(System.err);
            code = 1;
        }
        System.out.flush();
        // Kafka, Flink and DJL leave non-daemon threads behind; the run is over.
        System.exit(code);
    }

    /** Runs everything, prints progress and the summary, and returns the report. */
    public RunReport run() throws Exception {
        Path work = Path.of(userConfig.get(LocalRunOptions.WORK_DIR)).toAbsolutePath();
        resetWorkDir(work);
        say("vlm-tagger local run; work directory " + work);

        LocalCheckpoints.Resolved checkpoints = LocalCheckpoints.resolve(userConfig);
        say("caption model: " + checkpoints.captionDir() + " -- " + checkpoints.captionKind().description());
        say("chat model:    " + (checkpoints.chatDir() == null ? "-" : checkpoints.chatDir()) + " -- "
                + checkpoints.chatKind().description());
        LocalFewShot fewShot = null;
        if (checkpoints.fewShotDir() != null) {
            say("few-shot model: " + checkpoints.fewShotDir() + " -- " + checkpoints.fewShotKind().description());
            fewShot = new LocalFewShot(work.resolve("images").resolve("few-shot"));
        }

        List<LocalImages.LocalImage> images = images(work);

        try (EmbeddedKafka kafka = quietly(() -> EmbeddedKafka.builder().optBaseDirectory(work.resolve("kafka")).build())) {
            say("Kafka broker (KRaft, in-process) at " + kafka.bootstrapServers());
            JobConfig config = jobConfig(kafka.bootstrapServers(), work, images, checkpoints);
            kafka.createTopics(2, config.get(JobOptions.TOPIC_INPUT), config.get(JobOptions.TOPIC_CAPTIONS),
                    config.get(JobOptions.TOPIC_CHAT_ANSWERS), config.get(JobOptions.TOPIC_DEAD_LETTERS));
            if (fewShot != null) {
                kafka.createTopics(1, config.get(JobOptions.TOPIC_EXEMPLARS));
                // before the job starts: its exemplar source reads the topic from the earliest offset
                fewShot.publish(kafka.bootstrapServers(), config.get(JobOptions.TOPIC_EXEMPLARS), 1);
                say("published " + fewShot.before().size() + " exemplars of label set '" + LocalFewShot.LABEL_SET
                        + "' (labels the few-shot model never saw in training): " + exemplarText(fewShot.before()));
            }

            // A local run should fail fast and say why, not restart forever (the cluster default).
            Configuration flink = FlinkPassThrough.configuration(config);
            flink.setString("restart-strategy.type", "fixed-delay");
            flink.setString("restart-strategy.fixed-delay.attempts", "3");
            flink.setString("restart-strategy.fixed-delay.delay", "2 s");
            // the MiniCluster's REST endpoint, blob server and TaskManager listen on 127.0.0.1 only
            StreamExecutionEnvironment env = LoopbackCluster.environment(
                    Math.max(1, config.get(JobOptions.JOB_PARALLELISM)), flink);
            TaggingJob.Builder job = TaggingJob.builder().setConfig(config).setCaptionerProvider(captioners.apply(checkpoints));
            if (checkpoints.chatDir() != null) {
                job.optChatModelProvider(chatModels.apply(checkpoints));
            }
            if (fewShot != null) {
                job.optFewShotTaggerProvider(CheckpointModels.fewShotTaggers());
            }
            job.build().addTo(env);
            JobClient client = env.executeAsync(config.get(JobOptions.JOB_NAME));
            say("Flink MiniCluster started the job " + client.getJobID() + "; checkpoints in "
                    + flink.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY));
            try {
                return drive(kafka, config, images, checkpoints, client, fewShot);
            } finally {
                stop(client);
            }
        }
    }

    private RunReport drive(EmbeddedKafka kafka, JobConfig config, List<LocalImages.LocalImage> images,
                            LocalCheckpoints.Resolved checkpoints, JobClient client, LocalFewShot fewShot) throws Exception {
        Map<String, LocalImages.LocalImage> byId = new LinkedHashMap<>();
        boolean chat = checkpoints.chatDir() != null && config.get(LocalRunOptions.ASK_QUESTIONS);
        int malformed = config.get(LocalRunOptions.MALFORMED_EVENTS);
        long firstSendMs = System.currentTimeMillis();
        try (ImageEventProducer producer = producer(kafka, config, List.of(TaskType.CAPTION), null, null)) {
            for (int i = 0; i < images.size(); i++) {
                LocalImages.LocalImage img = images.get(i);
                ImageEvent e = producer.eventForFile(img.file());
                e.setEventId(String.format(Locale.ROOT, "img-%03d", i));
                e.getAttributes().put("file", img.name());
                producer.send(e).get(30, TimeUnit.SECONDS);
                byId.put(e.getEventId(), img);
            }
        }
        sendMalformed(kafka, config, malformed);
        int questionsSent = 0;
        if (chat) {
            ask(kafka, config, images.get(0), 0);
            questionsSent = 1;
        }
        String bootstrap = kafka.bootstrapServers();
        String input = config.get(JobOptions.TOPIC_INPUT);
        FewShotRounds rounds = fewShot == null ? null : new FewShotRounds(fewShot, bootstrap, input,
                config.get(JobOptions.TOPIC_EXEMPLARS));
        int toTag = rounds == null ? 0 : rounds.start(); // sends the first probe
        say("sent " + images.size() + " images" + (malformed > 0 ? ", " + malformed + " malformed record(s)" : "")
                + (chat ? ", question 1 of a conversation about " + images.get(0).name() : "")
                + (rounds != null ? ", a probe of the " + toTag + " images to tag with the exemplars (FEW_SHOT_TAGS)"
                        : ""));

        long deadline = System.nanoTime() + config.get(LocalRunOptions.TIMEOUT).toNanos();
        boolean complete = false;
        List<String> jobFailure = List.of();
        try (OutputWatcher watcher = new OutputWatcher(kafka.bootstrapServers(), config.get(JobOptions.TOPIC_CAPTIONS),
                config.get(JobOptions.TOPIC_CHAT_ANSWERS), config.get(JobOptions.TOPIC_DEAD_LETTERS))) {
            String lastProgress = "";
            long lastPrint = 0;
            while (System.nanoTime() < deadline) {
                watcher.poll();
                boolean firstDeadLettered = watcher.deadLetters().stream()
                        .anyMatch(d -> d.value().getEventId() != null && d.value().getEventId().startsWith("chat-"));
                if (chat && questionsSent == 1 && (!watcher.answers().isEmpty() || firstDeadLettered)) {
                    ask(kafka, config, images.get(0), 1);
                    questionsSent = 2;
                    say(firstDeadLettered
                            ? "the first question was dead-lettered (see the summary); sent the follow-up anyway"
                            : "first answer is in; sent the follow-up question");
                }
                if (rounds != null) {
                    String news = rounds.advance(watcher.fewShot(), watcher.deadLetters());
                    if (news != null) {
                        say(news);
                    }
                }
                int captioned = watcher.captioned().size();
                int answers = watcher.answers().size();
                int dead = watcher.deadLetters().size();
                int tagged = watcher.fewShot().size();
                String progress = String.format(Locale.ROOT, "captioned %d/%d | answers %d/%d | dead letters %d",
                        captioned, images.size(), answers, chat ? QUESTIONS.size() : 0, dead)
                        + (rounds == null ? "" : String.format(Locale.ROOT, " | few-shot tagged %d/%d", tagged,
                                rounds.sent()));
                if (!progress.equals(lastProgress) || System.nanoTime() - lastPrint > 10_000_000_000L) {
                    say(progress);
                    lastProgress = progress;
                    lastPrint = System.nanoTime();
                }
                int expected = images.size() + malformed + (chat ? QUESTIONS.size() : 0)
                        + (rounds == null ? 0 : rounds.sent());
                if (captioned + answers + dead + tagged >= expected && (!chat || questionsSent == QUESTIONS.size())
                        && (rounds == null || rounds.done())) {
                    complete = true;
                    break;
                }
                if (client.getJobExecutionResult().isDone()) {
                    jobFailure = failureOf(client);
                    say(jobFailure.isEmpty() ? "the job stopped" : "the job failed: " + String.join("; ", jobFailure));
                    break;
                }
            }
            if (!complete && jobFailure.isEmpty() && !client.getJobExecutionResult().isDone()) {
                say("timed out after " + config.get(LocalRunOptions.TIMEOUT) + " (local.timeout) waiting for results");
            }
            return report(config, byId, watcher, firstSendMs, complete, checkpoints,
                    fewShot == null ? null : fewShot.report(watcher.fewShot()), jobFailure);
        }
    }

    private RunReport report(JobConfig config, Map<String, LocalImages.LocalImage> byId, OutputWatcher watcher,
                             long firstSendMs, boolean complete, LocalCheckpoints.Resolved checkpoints,
                             LocalFewShot.Report fewShot, List<String> jobFailure) throws Exception {
        List<OutputWatcher.Timed<EnrichedImage>> captioned = watcher.captioned();
        List<Long> latencies = new ArrayList<>();
        List<Long> processing = new ArrayList<>();
        List<Long> inference = new ArrayList<>();
        long lastSeen = firstSendMs;
        for (OutputWatcher.Timed<EnrichedImage> t : captioned) {
            EnrichedImage e = t.value();
            latencies.add(Math.max(0, t.seenAtMs() - e.getEventTime().toEpochMilli()));
            if (e.getTimings().getEmittedAt() != null) {
                processing.add(Math.max(0, e.getTimings().getEmittedAt().toEpochMilli()
                        - e.getTimings().getReceivedAt().toEpochMilli()));
            }
            inference.add(Math.round(e.getTimings().getInferenceMs()));
            lastSeen = Math.max(lastSeen, t.seenAtMs());
        }
        double seconds = Math.max(1e-3, (lastSeen - firstSendMs) / 1000.0);
        double throughput = captioned.isEmpty() ? 0 : captioned.size() / seconds;

        Path index = Path.of(config.get(JobOptions.SEARCH_LUCENE_DIR));
        int indexed = LuceneSearcher.awaitCount(index,
                captioned.size() + watcher.answers().size() + watcher.fewShot().size(), Duration.ofSeconds(10));
        String query = config.getOptional(LocalRunOptions.SAMPLE_QUERY).orElseGet(() -> mostFrequentTag(captioned));
        List<SearchHit> hits = List.of();
        if (query != null && Files.isDirectory(index)) {
            try (LuceneSearcher searcher = new LuceneSearcher(index)) {
                hits = searcher.search(query, 5);
            }
        }
        List<ChatAnswer> answers = watcher.answers().stream().map(OutputWatcher.Timed::value)
                .sorted(Comparator.comparingInt(ChatAnswer::getTurn)).toList();
        RunReport report = new RunReport(byId, captioned.stream().map(OutputWatcher.Timed::value).toList(), answers,
                watcher.deadLetters().stream().map(OutputWatcher.Timed::value).toList(), throughput,
                percentiles(latencies), percentiles(processing), percentiles(inference), query == null ? "" : query, hits, indexed, complete,
                fewShot, jobFailure);
        SummaryPrinter.print(report, checkpoints, out);
        return report;
    }

    /** The job configuration of the local run: the user's values plus the embedded endpoints. */
    JobConfig jobConfig(String bootstrap, Path work, List<LocalImages.LocalImage> images, LocalCheckpoints.Resolved checkpoints) {
        Map<String, String> m = new LinkedHashMap<>(userConfig.toMap());
        m.put(JobOptions.KAFKA_BOOTSTRAP_SERVERS.key(), bootstrap);
        m.put(JobOptions.MODEL_CAPTION_CHECKPOINT.key(), checkpoints.captionDir().toString());
        if (checkpoints.chatDir() != null) {
            m.put(JobOptions.MODEL_CHAT_CHECKPOINT.key(), checkpoints.chatDir().toString());
        }
        if (checkpoints.fewShotDir() != null) {
            m.put(JobOptions.MODEL_FEW_SHOT_CHECKPOINT.key(), checkpoints.fewShotDir().toString());
        }
        m.putIfAbsent(JobOptions.CHECKPOINT_INTERVAL.key(), "1 s");
        if (!FlinkPassThrough.setsCheckpointStorage(m)) {
            // never the JobManager's 5 MB memory storage: in-flight photos are part of the state
            m.put(JobOptions.CHECKPOINT_DIR.key(), work.resolve(FLINK_CHECKPOINTS).toUri().toString());
        }
        m.putIfAbsent(JobOptions.JOB_PARALLELISM.key(), "2");
        m.putIfAbsent(JobOptions.SEARCH_BACKEND.key(), SearchBackend.LUCENE.toString());
        m.putIfAbsent(JobOptions.SEARCH_LUCENE_DIR.key(), work.resolve("index").toString());
        m.putIfAbsent("inference.max-batch-wait", "50 ms");
        // a folder of multi-MB photos queues minutes of decoding on a laptop CPU; the attempt
        // timeout counts that queueing, and 1 min (the cluster default) dead-lettered a fifth of a
        // 130-photo folder as INFERENCE/timeout on a loaded 2-core machine
        m.putIfAbsent("inference.timeout", "5 min");
        if (checkpoints.chatKind() == LocalCheckpoints.Kind.TRAINED_TINY) {
            // one-word answers (the tiny LLaVA's 128 positions hold its 9 image tokens + the conversation)
            m.putIfAbsent("chat.max-new-tokens", "4");
        }
        if (!m.containsKey(FetchOptions.ALLOWED_ROOTS.key())) {
            m.put(FetchOptions.ALLOWED_ROOTS.key(), java.util.stream.Stream.concat(images.stream()
                    .map(i -> i.file().getParent().toString()), java.util.stream.Stream.of(work.resolve("images").toString()))
                    .distinct().collect(Collectors.joining(";")));
        }
        return JobConfig.fromMap(m);
    }

    private static ImageEventProducer producer(EmbeddedKafka kafka, JobConfig config, List<TaskType> tasks,
                                               String question, String eventId) {
        ImageEventProducer.Builder b = ImageEventProducer.builder()
                .setBootstrapServers(kafka.bootstrapServers())
                .setTopic(config.get(JobOptions.TOPIC_INPUT))
                .optSource("local-runner")
                .optTasks(tasks);
        if (question != null) {
            b.optQuestion(question);
        }
        if (eventId != null) {
            b.optEventIds(() -> eventId);
        }
        return b.build();
    }

    private static void ask(EmbeddedKafka kafka, JobConfig config, LocalImages.LocalImage image, int turn) throws Exception {
        try (ImageEventProducer p = producer(kafka, config, List.of(TaskType.CHAT), QUESTIONS.get(turn), "chat-" + (turn + 1))) {
            ImageEvent e = p.eventForFile(image.file());
            e.setConversationId(CONVERSATION);
            p.send(e).get(30, TimeUnit.SECONDS);
        }
    }

    private static void sendMalformed(EmbeddedKafka kafka, JobConfig config, int count) throws Exception {
        if (count == 0) {
            return;
        }
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                byte[] junk = ("this record is not an ImageEvent #" + i).getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>(config.get(JobOptions.TOPIC_INPUT), junk)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** The images to send: the folder's files (all, or local.image-count of them), or generated shapes. */
    private List<LocalImages.LocalImage> images(Path work) throws IOException {
        if (userConfig.getOptional(LocalRunOptions.IMAGES_DIR).isEmpty()) {
            List<LocalImages.LocalImage> samples = LocalImages.samples(work.resolve("images"),
                    userConfig.get(LocalRunOptions.IMAGE_COUNT));
            say(samples.size() + " images from the sample scenes shipped with the tiny checkpoints");
            return samples;
        }
        String dir = userConfig.get(LocalRunOptions.IMAGES_DIR);
        List<LocalImages.LocalImage> files = LocalImages.fromFolder(Path.of(dir));
        int max = userConfig.isSet(LocalRunOptions.IMAGE_COUNT) ? userConfig.get(LocalRunOptions.IMAGE_COUNT) : files.size();
        if (max < files.size()) {
            say("sending " + max + " of the " + files.size() + " files in " + dir + " (" + LocalRunOptions.IMAGE_COUNT.key()
                    + "); the other " + (files.size() - max) + " are not sent");
            return files.subList(0, max);
        }
        say(files.size() + " files from " + dir + " (every file is sent; what cannot be read comes back as a dead letter)");
        return files;
    }

    /** Whether the user chose where checkpoints go (the job's option or Flink's own keys). */
    /** The job's failure, cause first (empty when it ended without one). */
    private static List<String> failureOf(JobClient client) {
        try {
            client.getJobExecutionResult().get(30, TimeUnit.SECONDS);
            return List.of();
        } catch (Exception e) {
            return JobFailure.describe(e);
        }
    }

    /**
     * Cancels the job if it still runs. A job that ended has already shut its MiniCluster down, and
     * a cancel would only fail with "MiniCluster is not yet running" and hide the real outcome.
     */
    private void stop(JobClient client) {
        if (client.getJobExecutionResult().isDone()) {
            return;
        }
        try {
            client.cancel().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (!client.getJobExecutionResult().isDone()) {
                say("could not cancel the job: " + String.join("; ", JobFailure.describe(e)));
            }
        }
    }

    static String mostFrequentTag(List<OutputWatcher.Timed<EnrichedImage>> captioned) {
        Map<String, Integer> freq = new HashMap<>();
        for (OutputWatcher.Timed<EnrichedImage> t : captioned) {
            for (String tag : t.value().getTags()) {
                freq.merge(tag, 1, Integer::sum);
            }
        }
        return freq.entrySet().stream()
                .max(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
                .map(Map.Entry::getKey).orElse(null);
    }

    static Map<String, Long> percentiles(List<Long> values) {
        Map<String, Long> m = new LinkedHashMap<>();
        if (values.isEmpty()) {
            return m;
        }
        List<Long> s = new ArrayList<>(values);
        s.sort(null);
        m.put("p50", s.get(rank(s.size(), 0.50)));
        m.put("p90", s.get(rank(s.size(), 0.90)));
        m.put("p99", s.get(rank(s.size(), 0.99)));
        m.put("max", s.get(s.size() - 1));
        return m;
    }

    /** Nearest-rank percentile index. */
    private static int rank(int n, double p) {
        return Math.min(n - 1, Math.max(0, (int) Math.ceil(p * n) - 1));
    }

    static String exemplarText(List<LocalFewShot.Sample> set) {
        return set.stream().map(s -> s.tag() + " = " + s.description()).collect(Collectors.joining(", "));
    }

    /**
     * Drives the few-shot demo. Broadcast updates and events travel on different inputs, so each
     * round starts with a probe (the first query, re-sent every 2 s until the job answers from the
     * round's exemplars; a probe that arrives before any exemplar is dead-lettered with reason
     * {@code few_shot_no_exemplars}); then the round's queries go. Between the rounds the label set's
     * exemplars are replaced.
     */
    /** Probes per round after which the round's images go anyway (the summary then shows what came back). */
    private static final int MAX_PROBES = 30;

    private final class FewShotRounds {
        private final LocalFewShot demo;
        private final String bootstrap;
        private final String input;
        private final String exemplars;
        private int round = 1;
        private boolean probing = true;
        private boolean done;
        private long roundStartNanos;
        private long lastProbeNanos;
        private String pendingProbe;

        FewShotRounds(LocalFewShot demo, String bootstrap, String input, String exemplars) {
            this.demo = demo;
            this.bootstrap = bootstrap;
            this.input = input;
            this.exemplars = exemplars;
        }

        /** Sends the first probe; returns how many images a round tags. */
        int start() throws Exception {
            roundStartNanos = System.nanoTime();
            probe();
            return demo.queries().size();
        }

        int sent() {
            return demo.sentCount();
        }

        boolean done() {
            return done;
        }

        /** Moves the demo on from what has arrived; returns a line to print, or null. */
        String advance(List<EnrichedImage> tagged, List<OutputWatcher.Timed<io.vlmtagger.schemas.DeadLetter>> dead)
                throws Exception {
            if (done) {
                return null;
            }
            if (probing) {
                // the two sets' labels are disjoint: an answer from this round's set was read from its exemplars
                boolean answered = tagged.stream().anyMatch(e -> e.getEventId().equals(pendingProbe)
                        && demo.fromSet(e.getTags(), round));
                if (answered || demo.sentCount() >= MAX_PROBES * round) {
                    demo.sendQueries(bootstrap, input, round);
                    probing = false;
                    return String.format(Locale.ROOT, "the job tags with the exemplars of round %d %.1f s after they were"
                            + " published%s; sent round %d: %d images", round, (System.nanoTime() - roundStartNanos) / 1e9,
                            round == 2 ? " (no restart)" : "", round, demo.queries().size());
                }
                boolean probeBack = tagged.stream().anyMatch(e -> e.getEventId().equals(pendingProbe))
                        || dead.stream().anyMatch(d -> pendingProbe.equals(d.value().getEventId()));
                if (probeBack && System.nanoTime() - lastProbeNanos > 2_000_000_000L) {
                    probe();
                }
                return null;
            }
            String prefix = "fewshot-" + round + "-";
            long back = tagged.stream().filter(e -> e.getEventId().startsWith(prefix)).count()
                    + dead.stream().filter(d -> d.value().getEventId() != null && d.value().getEventId().startsWith(prefix)).count();
            if (back < demo.queries().size()) {
                return null;
            }
            if (round == 2) {
                done = true;
                return null;
            }
            demo.publish(bootstrap, exemplars, 2);
            round = 2;
            probing = true;
            roundStartNanos = System.nanoTime();
            probe();
            return "round 1 tagged; replaced the exemplars of '" + LocalFewShot.LABEL_SET + "' (same ids) while the job"
                    + " runs: " + exemplarText(demo.after());
        }

        private void probe() throws Exception {
            pendingProbe = demo.sendProbe(bootstrap, input, round);
            lastProbeNanos = System.nanoTime();
        }
    }

    /** Empties only what a previous local run wrote here (images, model and Flink checkpoints, index, kafka). */
    private static void resetWorkDir(Path work) throws IOException {
        Files.createDirectories(work);
        for (String sub : List.of("images", "checkpoints", "index", "kafka", FLINK_CHECKPOINTS)) {
            Path p = work.resolve(sub);
            if (Files.exists(p)) {
                try (var walk = Files.walk(p)) {
                    for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(x);
                    }
                }
            }
        }
    }

    /** Kafka's test kit prints its storage formatting to stdout; keep the runner's output readable. */
    private static <T> T quietly(java.util.concurrent.Callable<T> action) throws Exception {
        PrintStream original = System.out;
        System.setOut(new PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            return action.call();
        } finally {
            System.setOut(original);
        }
    }

    private void say(String message) {
        out.printf(Locale.ROOT, "[%6.1f s] %s%n", (System.nanoTime() - startNanos) / 1e9, message);
    }
}
