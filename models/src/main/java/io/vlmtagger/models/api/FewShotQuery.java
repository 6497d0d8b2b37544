package io.vlmtagger.models.api;

import java.util.Objects;

/**
 * One row of a few-shot batch: a preprocessed query image and the prepared exemplars to tag it by.
 * Rows of one batch may use different exemplar sets.
 *
 * @param exemplars from {@link FewShotTagger#prepare} of the same tagger
 * @param image from {@link FewShotTagger#preprocess}
 */
public record FewShotQuery(ExemplarFeatures exemplars, PixelValues image) {
    public FewShotQuery {
        Objects.requireNonNull(exemplars, "exemplars");
        Objects.requireNonNull(image, "image");
    }
}
