package io.vlmtagger.operators.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.ModelStage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IndexDocumentEmitterTest {
    private final IndexDocumentEmitter emitter = new IndexDocumentEmitter();

    @Test
    void mapsEveryFieldAndKeysTheDocumentByEventId() {
        EnrichedImage image = SearchTestData.image("e-1", "a red circle", Map.of("camera", "x100"), "red", "circle");
        image.setQuestion("what shape?");
        image.setAnswer("a circle");
        image.setModels(List.of(
                new ModelStage("caption", "blip2-small", "r1"),
                new ModelStage("chat", "llava-tiny", "r2"),
                new ModelStage("few_shot", "llava-tiny", "r2")));

        SearchDocument doc = emitter.toDocument(image);

        assertThat(doc.id()).isEqualTo("e-1");
        assertThat(doc.eventTimeMillis()).isEqualTo(image.getEventTime().toEpochMilli());
        assertThat(doc.caption()).isEqualTo("a red circle");
        assertThat(doc.tags()).containsExactly("red", "circle");
        assertThat(doc.question()).isEqualTo("what shape?");
        assertThat(doc.answer()).isEqualTo("a circle");
        assertThat(doc.models()).containsExactly("blip2-small", "llava-tiny");
        assertThat(doc.revisions()).containsExactly("r1", "r2");
        assertThat(doc.toSource())
                .containsEntry(SearchFields.EVENT_ID, "e-1")
                .containsEntry(SearchFields.IMAGE_REF, "s3://bucket/e-1.png")
                .containsEntry(SearchFields.ATTRIBUTES, Map.of("camera", "x100"));
        assertThat(doc.toJson()).contains("\"caption\":\"a red circle\"").contains("\"tags\":[\"red\",\"circle\"]");
    }

    @Test
    void leavesOutEmptyTextFields() {
        EnrichedImage image = SearchTestData.image("e-2", "  ");
        SearchDocument doc = emitter.toDocument(image);
        assertThat(doc.caption()).isNull();
        assertThat(doc.toSource()).doesNotContainKeys(SearchFields.CAPTION, SearchFields.ANSWER, SearchFields.QUESTION);
    }

    @Test
    void theSameImageGivesAnEqualDocument() {
        assertThat(emitter.toDocument(SearchTestData.numbered(7))).isEqualTo(emitter.toDocument(SearchTestData.numbered(7)));
    }

    @Test
    void refusesAnImageWithoutEventId() {
        EnrichedImage image = SearchTestData.image("x", "c");
        image.setEventId(" ");
        assertThatThrownBy(() -> emitter.toDocument(image)).hasMessageContaining("eventId");
    }
}
