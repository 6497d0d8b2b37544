package io.vlmtagger.operators.results;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.ModelStage;
import io.vlmtagger.schemas.Timings;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One result per event: the parts of an event (caption, answer, few-shot tags) come out as one
 * record once each has arrived or failed, whatever the order, across a restore, and after the
 * timeout when a part never comes.
 */
class ResultMergeFunctionTest {
    private static final Instant NOW = Instant.parse("2026-12-04T10:00:00Z");
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private KeyedOneInputStreamOperatorTestHarness<String, ResultPart, EnrichedImage> h;

    @BeforeEach
    void setUp() throws Exception {
        h = harness();
        h.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        h.close();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, ResultPart, EnrichedImage> harness() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new ResultMergeFunction(TIMEOUT, Clock.fixed(NOW, ZoneOffset.UTC))),
                p -> p.eventId, Types.STRING);
    }

    @Test
    void captionAndAnswerOfOneEventBecomeOneRecord() throws Exception {
        h.processElement(ResultPart.expected("e1", List.of(ResultPart.CAPTION, ResultPart.CHAT)), 0);
        h.processElement(ResultPart.result(ResultPart.CHAT, answer("e1")), 0);
        assertThat(h.extractOutputValues()).isEmpty();
        h.processElement(ResultPart.result(ResultPart.CAPTION, caption("e1")), 0);

        EnrichedImage one = single();
        assertThat(one.getEventId()).isEqualTo("e1");
        assertThat(one.getCaption()).isEqualTo("a red circle");
        assertThat(one.getTags()).containsExactly("red", "circle");
        assertThat(one.getQuestion()).isEqualTo("what colour?");
        assertThat(one.getAnswer()).isEqualTo("red");
        assertThat(one.getModels()).extracting(ModelStage::getStage).containsExactly("caption", "chat");
        assertThat(one.getTimings().getReceivedAt()).isEqualTo(Instant.ofEpochMilli(100));
        assertThat(one.getTimings().getInferredAt()).isEqualTo(Instant.ofEpochMilli(900));
        assertThat(one.getTimings().getInferenceMs()).isEqualTo(30.0);
        assertThat(one.getTimings().getEmittedAt()).isEqualTo(NOW);
        assertThat(one.getAttributes()).containsEntry("tenant", "acme");
        assertThat(h.numKeyedStateEntries()).isZero();
    }

    @Test
    void partsArrivingBeforeTheExpectationWaitForIt() throws Exception {
        h.processElement(ResultPart.result(ResultPart.CAPTION, caption("e2")), 0);
        assertThat(h.extractOutputValues()).isEmpty();
        h.processElement(ResultPart.expected("e2", List.of(ResultPart.CAPTION)), 0);
        assertThat(single().getCaption()).isEqualTo("a red circle");
    }

    @Test
    void aFailedPartLeavesTheOthersAndAllFailedLeavesNothing() throws Exception {
        h.processElement(ResultPart.expected("e3", List.of(ResultPart.CAPTION, ResultPart.CHAT)), 0);
        h.processElement(ResultPart.result(ResultPart.CAPTION, caption("e3")), 0);
        h.processElement(ResultPart.failed(ResultPart.CHAT, "e3"), 0);
        EnrichedImage e3 = single();
        assertThat(e3.getCaption()).isEqualTo("a red circle");
        assertThat(e3.getAnswer()).isNull();

        h.getOutput().clear();
        h.processElement(ResultPart.expected("e4", List.of(ResultPart.CAPTION)), 0);
        h.processElement(ResultPart.failed(ResultPart.CAPTION, "e4"), 0);
        assertThat(h.extractOutputValues()).isEmpty();
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numProcessingTimeTimers()).isZero();
    }

    @Test
    void anEventIdSentTwiceGivesOneRecordOnceBothCopiesAreDone() throws Exception {
        h.processElement(ResultPart.expected("e5", List.of(ResultPart.CAPTION)), 0);
        h.processElement(ResultPart.expected("e5", List.of(ResultPart.CAPTION)), 0);
        h.processElement(ResultPart.result(ResultPart.CAPTION, caption("e5")), 0);
        assertThat(h.extractOutputValues()).isEmpty();
        h.processElement(ResultPart.result(ResultPart.CAPTION, caption("e5")), 0);
        assertThat(single().getEventId()).isEqualTo("e5");
    }

    @Test
    void aMergeInProgressSurvivesARestore() throws Exception {
        h.processElement(ResultPart.expected("e6", List.of(ResultPart.CAPTION, ResultPart.CHAT)), 0);
        h.processElement(ResultPart.result(ResultPart.CAPTION, caption("e6")), 0);
        OperatorSubtaskState snapshot = h.snapshot(1L, 1L);
        h.close();

        h = harness();
        h.initializeState(snapshot);
        h.open();
        h.processElement(ResultPart.result(ResultPart.CHAT, answer("e6")), 0);
        EnrichedImage e6 = single();
        assertThat(e6.getCaption()).isEqualTo("a red circle");
        assertThat(e6.getAnswer()).isEqualTo("red");
    }

    @Test
    void aPartThatNeverComesIsGivenUpAfterTheTimeout() throws Exception {
        h.setProcessingTime(1_000);
        h.processElement(ResultPart.expected("e7", List.of(ResultPart.CAPTION, ResultPart.CHAT)), 0);
        h.processElement(ResultPart.result(ResultPart.CAPTION, caption("e7")), 0);
        h.setProcessingTime(1_000 + TIMEOUT.toMillis() - 1);
        assertThat(h.extractOutputValues()).isEmpty();
        h.setProcessingTime(1_000 + TIMEOUT.toMillis());
        assertThat(single().getCaption()).isEqualTo("a red circle");
        assertThat(h.numKeyedStateEntries()).isZero();
    }

    @Test
    void fewShotTagsJoinTheCaptionTagsWithoutDuplicates() {
        EnrichedImage fewShot = EnrichedImage.newBuilder(caption("e8")).setCaption(null).setTags(List.of("circle", "shape"))
                .setModels(List.of(ModelStage.newBuilder().setStage("few_shot").setModel("idefics").setRevision("r").build()))
                .build();
        EnrichedImage merged = EnrichedImageMerge.merge(List.of(caption("e8"), fewShot), NOW);
        assertThat(merged.getTags()).containsExactly("red", "circle", "shape");
        assertThat(merged.getCaption()).isEqualTo("a red circle");
        assertThat(merged.getModels()).extracting(ModelStage::getStage).containsExactly("caption", "few_shot");
    }

    @Test
    void partsAndProgressUseFlinksPojoAndAvroSerializersNotKryo() {
        assertThat(ResultMerge.PART_TYPE).isInstanceOf(org.apache.flink.api.java.typeutils.PojoTypeInfo.class);
        var part = (org.apache.flink.api.java.typeutils.PojoTypeInfo<ResultPart>) ResultMerge.PART_TYPE;
        assertThat(part.getTypeAt("result")).isInstanceOf(org.apache.flink.formats.avro.typeutils.AvroTypeInfo.class);
        assertThat(org.apache.flink.api.common.typeinfo.TypeInformation.of(MergeProgress.class))
                .isInstanceOf(org.apache.flink.api.java.typeutils.PojoTypeInfo.class);
    }

    private EnrichedImage single() {
        List<EnrichedImage> out = h.extractOutputValues();
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    private static EnrichedImage caption(String id) {
        return base(id, "caption", 100, 500, 10.0).setCaption("a red circle").setTags(List.of("red", "circle")).build();
    }

    private static EnrichedImage answer(String id) {
        return base(id, "chat", 200, 900, 20.0).setQuestion("what colour?").setAnswer("red").build();
    }

    private static EnrichedImage.Builder base(String id, String stage, long received, long inferred, double ms) {
        return EnrichedImage.newBuilder().setEventId(id).setEventTime(Instant.EPOCH).setSource("test")
                .setImageRef("inline:ab").setImageSha256("ab")
                .setModels(List.of(ModelStage.newBuilder().setStage(stage).setModel(stage + "-model").setRevision("r1").build()))
                .setTimings(Timings.newBuilder().setReceivedAt(Instant.ofEpochMilli(received))
                        .setInferredAt(Instant.ofEpochMilli(inferred)).setEmittedAt(Instant.ofEpochMilli(inferred))
                        .setInferenceMs(ms).build())
                .setAttributes(Map.of("tenant", "acme"));
    }
}
