package io.vlmtagger.models.api;

import java.util.List;

/**
 * Tags an image by example: given labelled exemplar images and a query image, answers the query's
 * tags in the style of the exemplars (in-context learning, no training). Implemented with IDEFICS
 * (Flamingo) by {@code io.vlmtagger.models.idefics.IdeficsFewShotTagger}; tests use fakes.
 *
 * <p>Implementations are thread-safe unless they say otherwise; {@link #close()} releases the model.
 */
public interface FewShotTagger extends AutoCloseable {

    /**
     * @param examples the exemplars, oldest first (the prompt shows them in this order)
     * @param queryImage the encoded image to tag
     * @throws ImageDecodeException when the query or an exemplar cannot be decoded
     */
    FewShotAnswer tag(List<LabeledExample> examples, byte[] queryImage) throws ImageDecodeException;

    ModelInfo info();

    @Override
    void close();
}
