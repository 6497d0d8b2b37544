package io.vlmtagger.operators.search;

import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.ModelStage;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Maps an {@link EnrichedImage} to the {@link SearchDocument} both search sinks write (compare
 * {@code OpensearchEmitter} in flink-connector-opensearch: the mapping is separate from the writer
 * that batches and retries). The document id is the event id.
 *
 * <p>Models and revisions are kept as parallel lists in stage order (caption, chat, few_shot), so a
 * query {@code model:blip2-small} finds every image a model touched; duplicates are removed.
 * Stateless and serializable: one instance may be shared by all subtasks.
 */
public final class IndexDocumentEmitter implements Serializable {
    private static final long serialVersionUID = 1L;

    public SearchDocument toDocument(EnrichedImage image) {
        if (image.getEventId() == null || image.getEventId().isBlank()) {
            throw new IllegalArgumentException(
                    "EnrichedImage without an eventId cannot be indexed: the id is the document key");
        }
        List<String> models = new ArrayList<>();
        List<String> revisions = new ArrayList<>();
        for (ModelStage stage : image.getModels()) {
            if (!models.contains(stage.getModel())) {
                models.add(stage.getModel());
            }
            if (!revisions.contains(stage.getRevision())) {
                revisions.add(stage.getRevision());
            }
        }
        Map<String, String> attributes = image.getAttributes() == null ? Map.of() : image.getAttributes();
        return new SearchDocument(
                image.getEventId(),
                image.getEventTime().toEpochMilli(),
                image.getSource(),
                image.getImageRef(),
                image.getImageSha256(),
                blankToNull(image.getCaption()),
                image.getTags() == null ? List.of() : image.getTags(),
                blankToNull(image.getQuestion()),
                blankToNull(image.getAnswer()),
                models,
                revisions,
                attributes);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
