package io.vlmtagger.models.api;

import java.util.List;

/**
 * A captioning model (BLIP-2). Thread-safe: several threads may call {@link #caption} at once,
 * each call uses its own native memory scope. {@link #preprocess} is cheap to call from any
 * thread and never touches the model's device.
 */
public interface ImageCaptioner extends AutoCloseable {

    ModelInfo info();

    /**
     * Decodes and preprocesses one encoded image (JPEG, PNG, ...) as the checkpoint's {@code
     * preprocessor_config.json} says.
     *
     * @throws ImageDecodeException for corrupt, unsupported or oversized images
     */
    PixelValues preprocess(byte[] encodedImage) throws ImageDecodeException;

    /** Captions a batch; result {@code i} belongs to request {@code i}. */
    List<GenerationResult> caption(List<CaptionRequest> requests, GenerationOptions options);

    /** Releases this handle (for shared models: decrements the reference count). */
    @Override
    void close();
}
