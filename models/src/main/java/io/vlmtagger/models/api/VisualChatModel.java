package io.vlmtagger.models.api;

import java.util.List;
import java.util.Optional;

/**
 * A visual chat / question answering model (LLaVA). Same threading contract as {@link
 * ImageCaptioner}.
 */
public interface VisualChatModel extends AutoCloseable {

    ModelInfo info();

    /** @throws ImageDecodeException for corrupt, unsupported or oversized images */
    PixelValues preprocess(byte[] encodedImage) throws ImageDecodeException;

    /** Answers a batch; result {@code i} belongs to request {@code i}. */
    List<GenerationResult> answer(List<ChatRequest> requests, GenerationOptions options);

    /**
     * Opens a continuous-batching loop over this model (one loop thread, closed with the returned
     * handle), or empty when the model only answers static batches.
     *
     * @param maxRows most questions decoded together
     * @param queueCapacity most questions waiting to join
     */
    default Optional<ContinuousChat> openContinuous(int maxRows, int queueCapacity) {
        return Optional.empty();
    }

    /** The model's context length in tokens (prompt + new tokens), for callers that trim history. */
    int maxContextTokens();

    @Override
    void close();
}
