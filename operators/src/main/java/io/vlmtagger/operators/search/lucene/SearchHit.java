package io.vlmtagger.operators.search.lucene;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/** One ranked result of a search: what the command prints and the HTTP endpoint returns. */
public record SearchHit(
        String eventId,
        float score,
        @Nullable String caption,
        List<String> tags,
        @Nullable String answer,
        String imageRef,
        long eventTimeMillis) {

    public SearchHit {
        tags = List.copyOf(tags);
    }

    /** The hit as a JSON object (field names as in the index). */
    public Map<String, Object> toJsonMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("eventId", eventId);
        m.put("score", score);
        m.put("caption", caption);
        m.put("tags", tags);
        m.put("answer", answer);
        m.put("imageRef", imageRef);
        m.put("eventTime", eventTimeMillis);
        return m;
    }
}
