package io.vlmtagger.models.api;

import java.util.List;

/**
 * What a {@link FewShotTagger} answered for one query image.
 *
 * @param tags the tags parsed from the answer (lower case, in order, no duplicates)
 * @param text the model's raw answer text
 * @param inferenceMs wall time of the call
 */
public record FewShotAnswer(List<String> tags, String text, double inferenceMs) {
    public FewShotAnswer {
        tags = List.copyOf(tags);
    }
}
