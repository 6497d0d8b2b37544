package io.vlmtagger.models.api;

import java.util.List;

/**
 * Tags an image by example: given labelled exemplar images and a query image, answers the query's
 * tags in the style of the exemplars (in-context learning, no training). Implemented with IDEFICS
 * (Flamingo) by {@code io.vlmtagger.models.pipeline.IdeficsFewShotTagger}; tests use fakes.
 *
 * <p>Three steps, so that a pipeline can batch queries and reuse exemplars: {@link #prepare} runs
 * an exemplar set through the model once (cache the result per exemplar version), {@link
 * #preprocess} decodes a query image off the model's thread, and {@link #tag(List)} answers a
 * batch of queries in one model call. {@link #tag(List, byte[])} does all three for one query.
 *
 * <p>Implementations are thread-safe unless they say otherwise; {@link #close()} releases the model.
 */
public interface FewShotTagger extends AutoCloseable {

    ModelInfo info();

    /**
     * Decodes the exemplars' images and computes what every query needs of them (image features,
     * prompt). Runs the vision model: call it where model calls run (on the device's thread).
     *
     * @param examples the exemplars, oldest first (the prompt shows them in this order)
     * @throws ImageDecodeException when an exemplar image cannot be decoded
     */
    ExemplarFeatures prepare(List<LabeledExample> examples) throws ImageDecodeException;

    /**
     * Decodes and preprocesses one encoded query image; cheap to call from any thread, never
     * touches the model's device.
     *
     * @throws ImageDecodeException for corrupt, unsupported or oversized images
     */
    PixelValues preprocess(byte[] encodedImage) throws ImageDecodeException;

    /** Tags a batch in one model call; answer {@code i} belongs to query {@code i}. */
    List<FewShotAnswer> tag(List<FewShotQuery> queries);

    /**
     * Tags one image: {@link #prepare}, {@link #preprocess} and {@link #tag(List)} in one call
     * (the exemplars are prepared again on every call: pipelines use the three steps instead).
     *
     * @param examples the exemplars, oldest first
     * @param queryImage the encoded image to tag
     * @throws ImageDecodeException when the query or an exemplar cannot be decoded
     */
    default FewShotAnswer tag(List<LabeledExample> examples, byte[] queryImage) throws ImageDecodeException {
        return tag(List.of(new FewShotQuery(prepare(examples), preprocess(queryImage)))).get(0);
    }

    @Override
    void close();
}
