package io.vlmtagger.jobs.local;

import io.vlmtagger.checkpoints.SampleImages;
import io.vlmtagger.operators.fewshot.FewShotOperator;
import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.Exemplar;
import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.TaskType;
import io.vlmtagger.schemas.producer.ImageEventProducer;
import io.vlmtagger.schemas.serde.AvroCodec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The local run's few-shot demo ({@link SampleImages#FEW_SHOT}, shipped with the tiny IDEFICS):
 * publishes the {@code before} exemplars of label set {@value #LABEL_SET} (labels the model never
 * saw in training), tags the query images with FEW_SHOT_TAGS events, then replaces the label set's
 * exemplars with the {@code after} ones (same exemplar ids) and tags the queries again: the job
 * keeps running, the later events get the new labels.
 *
 * <p>Broadcast updates and events travel on different inputs, so "later" is established by a probe:
 * after the replacement the first query is re-sent until its tags come from the new exemplars; only
 * then go the second round's queries.
 */
final class LocalFewShot {
    static final String LABEL_SET = "local-demo";
    static final String ROUND_ATTRIBUTE = "local.round";

    /** One image of the demo; {@code tag} is set for exemplars. */
    record Sample(String file, String role, String tag, String description, Path path) {}

    /** A tagged few-shot event of the demo. */
    record Tagged(String eventId, int round, Sample query, List<String> tags) {}

    /** What the summary shows: both exemplar sets and the tagged events. */
    record Report(List<Sample> before, List<Sample> after, List<Tagged> results) {}

    private final List<Sample> before = new ArrayList<>();
    private final List<Sample> after = new ArrayList<>();
    private final List<Sample> queries = new ArrayList<>();
    private final Map<String, Sample> sent = new LinkedHashMap<>();
    private int probes;

    LocalFewShot(Path dir) {
        for (String[] line : SampleImages.manifest(SampleImages.FEW_SHOT)) {
            Sample s = new Sample(line[0], line[1], line[2], line[3],
                    SampleImages.copy(SampleImages.FEW_SHOT, line[0], dir.resolve(line[0])).toAbsolutePath());
            switch (s.role()) {
                case "before" -> before.add(s);
                case "after" -> after.add(s);
                default -> queries.add(s);
            }
        }
    }

    List<Sample> before() {
        return before;
    }

    List<Sample> after() {
        return after;
    }

    List<Sample> queries() {
        return queries;
    }

    /** Publishes exemplar set {@code round} (1 = before, 2 = after; same ids, so 2 replaces 1). */
    void publish(String bootstrap, String topic, int round) throws Exception {
        List<Sample> set = round == 1 ? before : after;
        AvroCodec<Exemplar> codec = AvroCodec.of(Exemplar.class);
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < set.size(); i++) {
                Sample s = set.get(i);
                String id = "exemplar-" + (i + 1);
                Exemplar e = Exemplar.newBuilder().setExemplarId(id).setLabelSet(LABEL_SET)
                        .setImage(ByteBuffer.wrap(Files.readAllBytes(s.path())))
                        .setTags(List.of(s.tag())).setPublishedAt(Instant.now()).build();
                producer.send(new ProducerRecord<>(topic, LABEL_SET + "/" + id, codec.encode(e))).get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Sends every query image for {@code round}; returns how many. */
    int sendQueries(String bootstrap, String topic, int round) throws Exception {
        for (int i = 0; i < queries.size(); i++) {
            send(bootstrap, topic, round, String.format(Locale.ROOT, "fewshot-%d-%02d", round, i + 1), queries.get(i));
        }
        return queries.size();
    }

    /** Re-sends the first query as a probe of round {@code round}; returns its event id. */
    String sendProbe(String bootstrap, String topic, int round) throws Exception {
        String id = String.format(Locale.ROOT, "fewshot-probe-%d", ++probes);
        send(bootstrap, topic, round, id, queries.get(0));
        return id;
    }

    private void send(String bootstrap, String topic, int round, String id, Sample query) throws Exception {
        try (ImageEventProducer p = ImageEventProducer.builder().setBootstrapServers(bootstrap).setTopic(topic)
                .optSource("local-runner").optTasks(List.of(TaskType.FEW_SHOT_TAGS)).optEventIds(() -> id).build()) {
            ImageEvent e = p.eventForFile(query.path());
            e.getAttributes().put(FewShotOperator.DEFAULT_LABEL_SET_ATTRIBUTE, LABEL_SET);
            e.getAttributes().put(ROUND_ATTRIBUTE, Integer.toString(round));
            e.getAttributes().put("file", query.file());
            p.send(e).get(30, TimeUnit.SECONDS);
            sent.put(id, query);
        }
    }

    /** Whether {@code tags} are labels of exemplar set {@code round}. */
    boolean fromSet(List<String> tags, int round) {
        List<Sample> set = round == 1 ? before : after;
        return !tags.isEmpty() && tags.stream().allMatch(t -> set.stream().anyMatch(s -> s.tag().equals(t)));
    }

    /** The demo's report. */
    Report report(List<EnrichedImage> fewShot) {
        return new Report(before, after, results(fewShot));
    }

    /** How many few-shot events were sent. */
    int sentCount() {
        return sent.size();
    }

    /** The demo's results, in event id order. */
    List<Tagged> results(List<EnrichedImage> fewShot) {
        List<Tagged> out = new ArrayList<>();
        for (EnrichedImage e : fewShot) {
            Sample q = sent.get(e.getEventId());
            if (q != null) {
                out.add(new Tagged(e.getEventId(), Integer.parseInt(e.getAttributes().getOrDefault(ROUND_ATTRIBUTE, "0")),
                        q, List.copyOf(e.getTags())));
            }
        }
        out.sort(java.util.Comparator.comparing(Tagged::eventId));
        return out;
    }

    static boolean isFewShot(EnrichedImage e) {
        return e.getAttributes() != null && e.getAttributes().containsKey(FewShotOperator.ATTR_LABEL_SET);
    }
}
