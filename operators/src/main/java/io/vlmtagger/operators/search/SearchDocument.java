package io.vlmtagger.operators.search;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * One document of the search index, keyed by {@link #id()} (the event id): writing the same event
 * twice replaces the document, which is what makes replays after a failover idempotent in both
 * backends. Built by {@link IndexDocumentEmitter}; immutable.
 */
public final class SearchDocument implements Serializable {
    private static final long serialVersionUID = 1L;
    // Thread-safe once configured; used only to write JSON.
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String id;
    private final long eventTimeMillis;
    private final String source;
    private final String imageRef;
    private final String imageSha256;
    @Nullable private final String caption;
    private final ArrayList<String> tags;
    @Nullable private final String question;
    @Nullable private final String answer;
    private final ArrayList<String> models;
    private final ArrayList<String> revisions;
    private final LinkedHashMap<String, String> attributes;

    SearchDocument(
            String id,
            long eventTimeMillis,
            String source,
            String imageRef,
            String imageSha256,
            @Nullable String caption,
            List<String> tags,
            @Nullable String question,
            @Nullable String answer,
            List<String> models,
            List<String> revisions,
            Map<String, String> attributes) {
        this.id = Objects.requireNonNull(id, "id");
        this.eventTimeMillis = eventTimeMillis;
        this.source = Objects.requireNonNull(source, "source");
        this.imageRef = Objects.requireNonNull(imageRef, "imageRef");
        this.imageSha256 = Objects.requireNonNull(imageSha256, "imageSha256");
        this.caption = caption;
        this.tags = new ArrayList<>(tags);
        this.question = question;
        this.answer = answer;
        this.models = new ArrayList<>(models);
        this.revisions = new ArrayList<>(revisions);
        this.attributes = new LinkedHashMap<>(attributes);
    }

    public String id() { return id; }
    public long eventTimeMillis() { return eventTimeMillis; }
    public String source() { return source; }
    public String imageRef() { return imageRef; }
    public String imageSha256() { return imageSha256; }
    @Nullable public String caption() { return caption; }
    public List<String> tags() { return List.copyOf(tags); }
    @Nullable public String question() { return question; }
    @Nullable public String answer() { return answer; }
    public List<String> models() { return List.copyOf(models); }
    public List<String> revisions() { return List.copyOf(revisions); }
    public Map<String, String> attributes() { return Map.copyOf(attributes); }

    /**
     * The document as the JSON object the OpenSearch mapping expects (field names from {@link
     * SearchFields}; null fields left out).
     */
    public Map<String, Object> toSource() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(SearchFields.EVENT_ID, id);
        m.put(SearchFields.EVENT_TIME, eventTimeMillis);
        m.put(SearchFields.SOURCE, source);
        m.put(SearchFields.IMAGE_REF, imageRef);
        m.put(SearchFields.IMAGE_SHA256, imageSha256);
        if (caption != null) {
            m.put(SearchFields.CAPTION, caption);
        }
        m.put(SearchFields.TAGS, new ArrayList<>(tags));
        if (question != null) {
            m.put(SearchFields.QUESTION, question);
        }
        if (answer != null) {
            m.put(SearchFields.ANSWER, answer);
        }
        m.put(SearchFields.MODEL, new ArrayList<>(models));
        m.put(SearchFields.REVISION, new ArrayList<>(revisions));
        m.put(SearchFields.ATTRIBUTES, new LinkedHashMap<>(attributes));
        return m;
    }

    /** {@link #toSource()} as a JSON string. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(toSource());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A search document of plain strings and numbers failed to serialize", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SearchDocument)) {
            return false;
        }
        return toSource().equals(((SearchDocument) o).toSource());
    }

    @Override
    public int hashCode() {
        return toSource().hashCode();
    }

    @Override
    public String toString() {
        return "SearchDocument" + toSource();
    }
}
