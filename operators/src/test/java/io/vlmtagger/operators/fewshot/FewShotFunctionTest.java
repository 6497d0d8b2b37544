package io.vlmtagger.operators.fewshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vlmtagger.models.api.FewShotTagger;
import io.vlmtagger.operators.deadletter.DeadLetters;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.operators.slots.ModelProvider;
import io.vlmtagger.operators.slots.ModelSpec;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.Exemplar;
import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.InlineImage;
import io.vlmtagger.schemas.TaskType;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** The broadcast-state logic of {@link FewShotFunction}, driven through Flink's broadcast test harness. */
class FewShotFunctionTest {
    static final int RED = 0xdd2222;
    static final int BLUE = 0x2222dd;
    static final int GREEN = 0x22dd22;

    /** Each acquire makes a new fake; the provider is serialized with the function. */
    static final ModelProvider<FewShotTagger> PROVIDER = (spec, device) -> new NearestExemplarTagger();

    private static FewShotFunction function(int maxPerSet, int maxSets) {
        return FewShotFunction.builder()
                .setModelProvider(PROVIDER)
                .setModelSpec(ModelSpec.of("fake-idefics"))
                .optMaxExemplarsPerLabelSet(maxPerSet)
                .optMaxLabelSets(maxSets)
                .build();
    }

    private static BroadcastOperatorTestHarness<ImageTask, Exemplar, EnrichedImage> harness(FewShotFunction f)
            throws Exception {
        return ProcessFunctionTestHarnesses.forBroadcastProcessFunction(f, FewShotFunction.EXEMPLARS);
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
                .setAttributes(labelSet == null ? Map.of() : Map.of(FewShotFunction.DEFAULT_LABEL_SET_ATTRIBUTE, labelSet))
                .build();
        ImageTask t = new ImageTask(e, "images", 0, 0, 1000);
        t.imageBytes = png;
        t.imageSha256 = "sha-" + id;
        return t;
    }

    @Test
    void tagsEventsWithTheCurrentExemplarsAndReplacementsApplyToLaterEvents() throws Exception {
        try (var h = harness(function(8, 16))) {
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
            assertThat(out.get(2).getAttributes()).containsEntry(FewShotFunction.ATTR_EXEMPLARS, "2")
                    .containsEntry(FewShotFunction.ATTR_LABEL_SET, "shapes");
            assertThat(out.get(2).getModels().get(0).getStage()).isEqualTo(FewShotFunction.STAGE);
            assertThat(h.getBroadcastState(FewShotFunction.EXEMPLARS).get("shapes"))
                    .extracting(Exemplar::getExemplarId).containsExactly("b", "a");
        }
    }

    @Test
    void keepsOnlyTheLatestNPerLabelSetAndLabelSetsAreSeparate() throws Exception {
        try (var h = harness(function(2, 16))) {
            h.processBroadcastElement(exemplar("old", "shapes", GREEN, 10, "green"), 1);
            h.processBroadcastElement(exemplar("newer", "shapes", RED, 30, "red"), 2);
            h.processBroadcastElement(exemplar("middle", "shapes", BLUE, 20, "blue"), 3);
            h.processBroadcastElement(exemplar("x", "animals", GREEN, 5, "frog"), 4);
            assertThat(h.getBroadcastState(FewShotFunction.EXEMPLARS).get("shapes"))
                    .extracting(Exemplar::getExemplarId).containsExactly("middle", "newer");
            h.processElement(event("e1", "shapes", GREEN), 5); // green exemplar evicted: nearest is blue
            h.processElement(event("e2", "animals", GREEN), 6);
            List<EnrichedImage> out = h.extractOutputValues();
            assertThat(out.get(0).getTags()).containsExactly("blue");
            assertThat(out.get(1).getTags()).containsExactly("frog");
        }
    }

    @Test
    void tombstonesRemoveAndStaleVersionsAreIgnored() throws Exception {
        try (var h = harness(function(8, 16))) {
            h.processBroadcastElement(exemplar("a", "shapes", RED, 10, "red"), 1);
            h.processBroadcastElement(exemplar("a", "shapes", RED, 5, "stale"), 2); // older than what we have
            h.processBroadcastElement(exemplar("b", "shapes", BLUE, 11, "blue"), 3);
            h.processElement(event("e1", "shapes", RED), 4);
            h.processBroadcastElement(tombstone("a", "shapes", 12), 5);
            h.processElement(event("e2", "shapes", RED), 6); // only blue is left
            h.processBroadcastElement(tombstone("b", "shapes", 13), 7);
            h.processElement(event("e3", "shapes", RED), 8);

            assertThat(h.extractOutputValues()).extracting(e -> e.getTags().get(0)).containsExactly("red", "blue");
            assertThat(h.getBroadcastState(FewShotFunction.EXEMPLARS).contains("shapes")).isFalse();
            ConcurrentLinkedQueue<StreamRecord<DeadLetter>> dead = h.getSideOutput(DeadLetters.TAG);
            assertThat(dead).extracting(r -> r.getValue().getReason()).containsExactly("few_shot_no_exemplars");
            assertThat(dead.peek().getValue().getEventId()).isEqualTo("e3");
        }
    }

    @Test
    void rejectsInvalidExemplarsAndLabelSetsBeyondTheBound() throws Exception {
        try (var h = harness(function(8, 1))) {
            h.processBroadcastElement(exemplar("a", "shapes", RED, 1, "red"), 1);
            h.processBroadcastElement(exemplar("x", "animals", GREEN, 2, "frog"), 2); // a second set: over the bound
            h.processBroadcastElement(Exemplar.newBuilder().setExemplarId("n").setLabelSet("shapes")
                    .setImage(ByteBuffer.wrap(NearestExemplarTagger.solidPng(BLUE, 4)))
                    .setPublishedAt(Instant.ofEpochMilli(3)).build(), 3); // neither tags nor caption
            h.processElement(event("e1", "animals", GREEN), 4);
            h.processElement(event("e2", null, GREEN), 5); // names no label set, no default

            assertThat(h.getBroadcastState(FewShotFunction.EXEMPLARS).get("shapes"))
                    .extracting(Exemplar::getExemplarId).containsExactly("a");
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.getSideOutput(DeadLetters.TAG)).extracting(r -> r.getValue().getReason())
                    .containsExactly("few_shot_no_exemplars", "few_shot_no_label_set");
        }
    }

    @Test
    void undecodableImagesAreDeadLettered() throws Exception {
        try (var h = harness(function(8, 16))) {
            h.processBroadcastElement(exemplar("a", "shapes", RED, 1, "red"), 1);
            ImageTask broken = event("bad", "shapes", RED);
            broken.imageBytes = new byte[] {1, 2, 3};
            h.processElement(broken, 2);
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.getSideOutput(DeadLetters.TAG)).extracting(r -> r.getValue().getReason())
                    .containsExactly("few_shot_image_decode");
        }
    }

    @Test
    void exemplarsSurviveACheckpointAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(function(8, 16))) {
            h.processBroadcastElement(exemplar("a", "shapes", RED, 1, "red"), 1);
            h.processBroadcastElement(exemplar("b", "shapes", BLUE, 2, "blue"), 2);
            snapshot = h.snapshot(1L, 10L);
        }
        try (var h = new BroadcastOperatorTestHarness<ImageTask, Exemplar, EnrichedImage>(
                new org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator<>(
                        function(8, 16), List.of(FewShotFunction.EXEMPLARS)), 1, 1, 0)) {
            h.setup();
            h.initializeState(snapshot);
            h.open();
            h.processElement(event("e1", "shapes", BLUE), 3);
            assertThat(h.extractOutputValues()).extracting(e -> e.getTags().get(0)).containsExactly("blue");
            assertThat(h.getSideOutput(DeadLetters.TAG)).isNullOrEmpty();
        }
    }

    @Test
    void builderSaysWhatIsMissing() {
        assertThatThrownBy(() -> FewShotFunction.builder().setModelSpec(ModelSpec.of("x")).build())
                .hasMessageContaining("setModelProvider");
        assertThatThrownBy(() -> FewShotFunction.builder().setModelProvider(PROVIDER).setModelSpec(ModelSpec.of("x"))
                .optMaxExemplarsPerLabelSet(0).build()).hasMessageContaining("at least 1");
    }
}
