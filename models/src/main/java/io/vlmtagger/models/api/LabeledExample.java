package io.vlmtagger.models.api;

import java.util.List;
import java.util.Objects;

/**
 * One few-shot exemplar: an encoded image (JPEG/PNG/...) with its tags and/or caption.
 *
 * @param image encoded image bytes
 * @param tags the labels of the image (may be empty when a caption is given)
 * @param caption a caption, or null
 */
public record LabeledExample(byte[] image, List<String> tags, String caption) {
    public LabeledExample {
        Objects.requireNonNull(image, "image bytes");
        tags = tags == null ? List.of() : List.copyOf(tags);
        if (tags.isEmpty() && (caption == null || caption.isBlank())) {
            throw new IllegalArgumentException("an exemplar needs tags or a caption");
        }
    }
}
