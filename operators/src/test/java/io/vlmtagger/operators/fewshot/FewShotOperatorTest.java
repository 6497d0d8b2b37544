package io.vlmtagger.operators.fewshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vlmtagger.operators.deadletter.DeadLetters;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.operators.runtime.ModelSpec;
import io.vlmtagger.operators.stage.InferenceSettings;
import io.vlmtagger.operators.testutils.FakeModels;
import io.vlmtagger.operators.testutils.Mailboxes;
import io.vlmtagger.operators.testutils.ManualBatchScheduler;
import io.vlmtagger.operators.testutils.NearestExemplarTagger;
import io.vlmtagger.operators.testutils.RegisteredFakes;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.Exemplar;
import io.vlmtagger.schemas.FailureStage;
import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.InlineImage;
import io.vlmtagger.schemas.TaskType;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The few-shot operator through a test harness: its broadcast-state logic (exemplars replaced,
 * bounded, removed, restored) and the runtime path (answers as mails, batches, the device, the
 * exemplar features prepared once per version, events in flight across a checkpoint).
 */
class FewShotOperatorTest {
    static final int RED = 0xdd2222;
    static final int BLUE = 0x2222dd;
    static final int GREEN = 0x22dd22;
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final RegisteredFakes fakes = new RegisteredFakes();
    private NearestExemplarTagger model;
    private String modelId;

    @BeforeEach
    void setUp() {
        model = new NearestExemplarTagger();
        modelId = fakes.register(model);
    }

    @AfterEach
    void tearDown() throws Exception {
        model.release();
        fakes.close();
    }

    /** One attempt, batches go at once, preprocessing on the task thread. */
    private static InferenceSettings.Builder settings() {
        return InferenceSettings.builder()
                .optMaxBatchSize(4)
                .optMaxBatchWait(Duration.ZERO)
                .optCapacity(16)
                .optTimeout(Duration.ofMinutes(1))
                .optMaxAttempts(1)
                .optPreprocessThreads(0)
                .optShutdownTimeout(Duration.ofMillis(200));
    }

    private FewShotOperatorFactory.Builder factory(int maxPerSet, int maxSets) {
        return FewShotOperatorFactory.builder()
                .setModelProvider(FakeModels.fewShotProvider(modelId))
                .setModelSpec(ModelSpec.of("fake-idefics"))
                .optSettings(settings().build())
                .optMaxExemplarsPerLabelSet(maxPerSet)
                .optMaxLabelSets(maxSets);
    }

    /** The operator under a harness; set up, not yet opened. */
    static final class Harness extends AbstractStreamOperatorTestHarness<EnrichedImage> {
        Harness(FewShotOperatorFactory factory) throws Exception {
            super(factory, 1, 1, 0);
        }

        @SuppressWarnings("unchecked")
        TwoInputStreamOperator<ImageTask, Exemplar, EnrichedImage> twoInput() {
            return (TwoInputStreamOperator<ImageTask, Exemplar, EnrichedImage>) (Object) getOperator();
        }

        FewShotOperator fewShot() {
            return (FewShotOperator) (Object) getOperator();
        }

        void processBroadcastElement(Exemplar e, long ts) throws Exception {
            twoInput().processElement2(new StreamRecord<>(e, ts));
        }

        /** Sends the event and runs the mailbox until it has an outcome (a result or a dead letter). */
        void processElement(ImageTask task, long ts) throws Exception {
            int before = outcomes();
            twoInput().processElement1(new StreamRecord<>(task, ts));
            Mailboxes.drainUntil(this, () -> outcomes() > before, WAIT);
        }

        int outcomes() {
            ConcurrentLinkedQueue<StreamRecord<DeadLetter>> dead = getSideOutput(DeadLetters.TAG);
            return extractOutputValues().size() + (dead == null ? 0 : dead.size());
        }
    }

    private Harness harness(FewShotOperatorFactory.Builder b) throws Exception {
        Harness h = new Harness(b.build());
        h.setup();
        return h;
    }

    private Harness opened(FewShotOperatorFactory.Builder b) throws Exception {
        Harness h = harness(b);
        h.open();
        return h;
    }

    static Exemplar exemplar(String id, String labelSet, int rgb, long publishedMs, String... tags) {
        return Exemplar.newBuilder()
                .setExemplarId(id)
                .setLabelSet(labelSet)
                .setImage(ByteBuffer.wrap(NearestExemplarTagger.solidPng(rgb, 4)))
                .setTags(List.of(tags))
                .setPublishedAt(Instant.ofEpochMilli(publishedMs))
                .build();
    }

    static Exemplar tombstone(String id, String labelSet, long publishedMs) {
        return Exemplar.newBuilder().setExemplarId(id).setLabelSet(labelSet).setImage(ByteBuffer.allocate(0))
                .setPublishedAt(Instant.ofEpochMilli(publishedMs)).setDeleted(true).build();
    }

    static ImageTask event(String id, String labelSet, int rgb) {
        byte[] png = NearestExemplarTagger.solidPng(rgb, 4);
        ImageEvent e = ImageEvent.newBuilder()
                .setEventId(id)
                .setEventTime(Instant.ofEpochMilli(1000))
                .setSource("test")
                .setImage(InlineImage.newBuilder().setData(ByteBuffer.wrap(png)).build())
                .setTasks(List.of(TaskType.FEW_SHOT_TAGS))
                .setAttributes(labelSet == null ? Map.of() : Map.of(FewShotOperator.DEFAULT_LABEL_SET_ATTRIBUTE, labelSet))
                .build();
        ImageTask t = new ImageTask(e, "images", 0, 0, 1000);
        t.imageBytes = png;
        t.imageSha256 = "sha-" + id;
        return t;
    }

    @Test
    void tagsEventsWithTheCurrentExemplarsAndReplacementsApplyToLaterEvents() throws Exception {
        try (var h = opened(factory(8, 16))) {
            h.processBroadcastElement(exemplar("a", "shapes", RED, 1, "red", "circle"), 1);
            h.processBroadcastElement(exemplar("b", "shapes", BLUE, 2, "blue", "square"), 2);
            h.processElement(event("e1", "shapes", RED), 3);
            h.processElement(event("e2", "shapes", BLUE), 4);
            // republish exemplar "a" (same id, newer): red images are now labelled differently
            h.processBroadcastElement(exemplar("a", "shapes", RED, 5, "crimson", "disc"), 5);
            h.processElement(event("e3", "shapes", RED), 6);

            List<EnrichedImage> out = h.extractOutputValues();
            assertThat(out).extracting(EnrichedImage::getEventId).containsExactly("e1", "e2", "e3");
            assertThat(out.get(0).getTags()).containsExactly("red", "circle");
            assertThat(out.get(1).getTags()).containsExactly("blue", "square");
            assertThat(out.get(2).getTags()).containsExactly("crimson", "disc");
            assertThat(out.get(2).getAttributes()).containsEntry(FewShotOperator.ATTR_EXEMPLARS, "2")
                    .containsEntry(FewShotOperator.ATTR_LABEL_SET, "shapes");
            assertThat(out.get(2).getModels().get(0).getStage()).isEqualTo(FewShotOperator.STAGE);
            assertThat(h.fewShot().exemplarsOf("shapes")).extracting(Exemplar::getExemplarId).containsExactly("b", "a");
            assertThat(h.extractOutputStreamRecords()).extracting(StreamRecord::getTimestamp).containsExactly(3L, 4L, 6L);
        }
    }

    @Test
    void keepsOnlyTheLatestNPerLabelSetAndLabelSetsAreSeparate() throws Exception {
        try (var h = opened(factory(2, 16))) {
            h.processBroadcastElement(exemplar("old", "shapes", GREEN, 10, "green"), 1);
            h.processBroadcastElement(exemplar("newer", "shapes", RED, 30, "red"), 2);
            h.processBroadcastElement(exemplar("middle", "shapes", BLUE, 20, "blue"), 3);
            h.processBroadcastElement(exemplar("x", "animals", GREEN, 5, "frog"), 4);
            assertThat(h.fewShot().exemplarsOf("shapes")).extracting(Exemplar::getExemplarId)
                    .containsExactly("middle", "newer");
            h.processElement(event("e1", "shapes", GREEN), 5); // green exemplar evicted: nearest is blue
            h.processElement(event("e2", "animals", GREEN), 6);
            List<EnrichedImage> out = h.extractOutputValues();
            assertThat(out.get(0).getTags()).containsExactly("blue");
            assertThat(out.get(1).getTags()).containsExactly("frog");
        }
    }

    @Test
    void tombstonesRemoveAndStaleVersionsAreIgnored() throws Exception {
        try (var h = opened(factory(8, 16))) {
            h.processBroadcastElement(exemplar("a", "shapes", RED, 10, "red"), 1);
            h.processBroadcastElement(exemplar("a", "shapes", RED, 5, "stale"), 2); // older than what we have
            h.processBroadcastElement(exemplar("b", "shapes", BLUE, 11, "blue"), 3);
            h.processElement(event("e1", "shapes", RED), 4);
            h.processBroadcastElement(tombstone("a", "shapes", 12), 5);
            h.processElement(event("e2", "shapes", RED), 6); // only blue is left
            h.processBroadcastElement(tombstone("b", "shapes", 13), 7);
            h.processElement(event("e3", "shapes", RED), 8);

            assertThat(h.extractOutputValues()).extracting(e -> e.getTags().get(0)).containsExactly("red", "blue");
            assertThat(h.fewShot().exemplarsOf("shapes")).isEmpty();
            ConcurrentLinkedQueue<StreamRecord<DeadLetter>> dead = h.getSideOutput(DeadLetters.TAG);
            assertThat(dead).extracting(r -> r.getValue().getReason()).containsExactly("few_shot_no_exemplars");
            assertThat(dead.peek().getValue().getEventId()).isEqualTo("e3");
        }
    }

    @Test
    void rejectsInvalidExemplarsAndLabelSetsBeyondTheBound() throws Exception {
        try (var h = opened(factory(8, 1))) {
            h.processBroadcastElement(exemplar("a", "shapes", RED, 1, "red"), 1);
            h.processBroadcastElement(exemplar("x", "animals", GREEN, 2, "frog"), 2); // a second set: over the bound
            h.processBroadcastElement(Exemplar.newBuilder().setExemplarId("n").setLabelSet("shapes")
                    .setImage(ByteBuffer.wrap(NearestExemplarTagger.solidPng(BLUE, 4)))
                    .setPublishedAt(Instant.ofEpochMilli(3)).build(), 3); // neither tags nor caption
            h.processElement(event("e1", "animals", GREEN), 4);
            h.processElement(event("e2", null, GREEN), 5); // names no label set, no default

            assertThat(h.fewShot().exemplarsOf("shapes")).extracting(Exemplar::getExemplarId).containsExactly("a");
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.getSideOutput(DeadLetters.TAG)).extracting(r -> r.getValue().getReason())
                    .containsExactly("few_shot_no_exemplars", "few_shot_no_label_set");
        }
    }

    @Test
    void undecodableImagesAreDeadLettered() throws Exception {
        try (var h = opened(factory(8, 16))) {
            h.processBroadcastElement(exemplar("a", "shapes", RED, 1, "red"), 1);
            ImageTask broken = event("bad", "shapes", RED);
            broken.imageBytes = new byte[] {1, 2, 3};
            h.processElement(broken, 2);
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.getSideOutput(DeadLetters.TAG)).extracting(r -> r.getValue().getReason())
                    .containsExactly("few_shot_image_decode");
            assertThat(h.getSideOutput(DeadLetters.TAG)).extracting(r -> r.getValue().getStage())
                    .containsExactly(FailureStage.PREPROCESS);
        }
    }

    @Test
    void exemplarsSurviveACheckpointAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = opened(factory(8, 16))) {
            h.processBroadcastElement(exemplar("a", "shapes", RED, 1, "red"), 1);
            h.processBroadcastElement(exemplar("b", "shapes", BLUE, 2, "blue"), 2);
            snapshot = h.snapshot(1L, 10L);
        }
        try (var h = harness(factory(8, 16))) {
            h.initializeState(snapshot);
            h.open();
            h.processElement(event("e1", "shapes", BLUE), 3);
            assertThat(h.extractOutputValues()).extracting(e -> e.getTags().get(0)).containsExactly("blue");
            assertThat(h.getSideOutput(DeadLetters.TAG)).isNullOrEmpty();
        }
    }

    @Test
    void exemplarFeaturesArePreparedOncePerVersionNotPerEvent() throws Exception {
        try (var h = opened(factory(8, 16))) {
            h.processBroadcastElement(exemplar("a", "shapes", RED, 1, "red"), 1);
            h.processBroadcastElement(exemplar("b", "shapes", BLUE, 2, "blue"), 2);
            for (int i = 0; i < 5; i++) {
                h.processElement(event("e" + i, "shapes", i % 2 == 0 ? RED : BLUE), 3 + i);
            }
            assertThat(model.prepared()).as("one version of the set, five events").isEqualTo(1);
            h.processBroadcastElement(exemplar("a", "shapes", RED, 10, "crimson"), 10);
            h.processElement(event("after", "shapes", RED), 11);
            h.processElement(event("after2", "shapes", RED), 12);
            assertThat(model.prepared()).as("a new version after the update").isEqualTo(2);
            assertThat(h.fewShot().exemplarSetsPrepared()).isEqualTo(2);
            assertThat(h.extractOutputValues()).extracting(EnrichedImage::getEventId).last().isEqualTo("after2");
            assertThat(h.extractOutputValues().get(6).getTags()).containsExactly("crimson");
        }
    }

    @Test
    void theConfiguredDeviceReachesTheModel() throws Exception {
        try (var h = opened(factory(8, 16).optSettings(settings().optDevices(List.of("gpu:1")).build()))) {
            assertThat(model.devices()).containsExactly("gpu:1");
            h.processBroadcastElement(exemplar("a", "shapes", RED, 1, "red"), 1);
            h.processElement(event("e1", "shapes", RED), 2);
            assertThat(h.extractOutputValues()).singleElement().satisfies(e -> assertThat(e.getTags()).containsExactly("red"));
        }
        assertThat(model.openHandles()).as("released on close").isZero();
    }

    @Test
    void eventsWaitingTogetherRunAsOneBatch() throws Exception {
        ManualBatchScheduler clock = new ManualBatchScheduler();
        String clockId = fakes.register(clock);
        try (var h = opened(factory(8, 16).optSchedulerFactory(FakeModels.schedulerFactory(clockId))
                .optSettings(settings().optMaxBatchWait(Duration.ofMillis(20)).build()))) {
            h.processBroadcastElement(exemplar("a", "shapes", RED, 1, "red"), 1);
            h.processBroadcastElement(exemplar("x", "animals", GREEN, 2, "frog"), 2);
            for (String id : List.of("e1", "e2", "e3")) {
                h.twoInput().processElement1(new StreamRecord<>(event(id, id.equals("e2") ? "animals" : "shapes", RED), 3));
            }
            assertThat(model.batchSizes()).isEmpty();
            clock.advance(Duration.ofMillis(20));
            Mailboxes.drainUntil(h, () -> h.extractOutputValues().size() == 3, WAIT);
            assertThat(model.batchSizes()).as("three events of two label sets in one model call").containsExactly(3);
            assertThat(h.extractOutputValues()).extracting(e -> e.getTags().get(0))
                    .containsExactlyInAnyOrder("red", "frog", "red");
        }
    }

    @Test
    void eventsInFlightSurviveACheckpointAndAreTaggedAfterTheRestore() throws Exception {
        OperatorSubtaskState snapshot;
        model.hold();
        Harness first = opened(factory(8, 16));
        first.processBroadcastElement(exemplar("a", "shapes", RED, 1, "red"), 1);
        first.twoInput().processElement1(new StreamRecord<>(event("e1", "shapes", RED), 7));
        first.twoInput().processElement1(new StreamRecord<>(event("e2", "shapes", RED), 8));
        snapshot = first.snapshot(1L, 10L);
        model.release(); // the held batch may finish while the harness closes; its answer is not emitted
        first.close();
        assertThat(first.outcomes()).as("shutdown emits no dead letters").isZero();
        try (var h = harness(factory(8, 16))) {
            h.initializeState(snapshot);
            h.open();
            Mailboxes.drainUntil(h, () -> h.outcomes() == 2, WAIT);
            assertThat(h.extractOutputValues()).extracting(EnrichedImage::getEventId).containsExactlyInAnyOrder("e1", "e2");
            assertThat(h.extractOutputStreamRecords()).extracting(StreamRecord::getTimestamp)
                    .containsExactlyInAnyOrder(7L, 8L);
        }
    }

    @Test
    void builderSaysWhatIsMissing() {
        assertThatThrownBy(() -> FewShotOperatorFactory.builder().setModelSpec(ModelSpec.of("x")).build())
                .hasMessageContaining("setModelProvider");
        assertThatThrownBy(() -> factory(0, 16).build()).hasMessageContaining("at least 1");
    }
}
