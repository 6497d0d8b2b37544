/**
 * The public model classes: {@link io.vlmtagger.models.pipeline.Blip2Captioner} ({@code
 * ImageCaptioner}) and {@link io.vlmtagger.models.pipeline.LlavaChatModel} ({@code
 * VisualChatModel}), built from a HuggingFace checkpoint directory:
 *
 * <pre>{@code
 * ImageCaptioner c = Blip2Captioner.builder()
 *         .setCheckpoint(dir)              // config.json, *.safetensors, tokenizer.json, preprocessor_config.json
 *         .optDevice("cpu")                // or gpu, gpu:N
 *         .optDtype("auto")                // float32 | float16 | bfloat16 | auto (float32 on CPU)
 *         .optMaxImagePixels(40_000_000)   // larger images: ImageDecodeException TOO_LARGE
 *         .build();                        // optName, optRevision, optRegistry, optNanoClock also exist
 * }</pre>
 *
 * <p>Handles on the same (checkpoint, device, dtype) share one loaded model through {@code
 * runtime.SharedModelRegistry.global()}; {@code close()} releases a handle. Calls are
 * thread-safe, each in its own native memory scope; results carry the new tokens only, the decoded
 * text (special tokens skipped), the prompt length the language model saw (image rows included)
 * and the batch's timings.
 *
 * <p>The model-agnostic cores ({@code CaptionPipeline}, {@code ChatPipeline}) work on the small
 * {@link io.vlmtagger.models.pipeline.SoftPromptModel} / {@link
 * io.vlmtagger.models.pipeline.ImageFeatureModel} views of a model.
 */
package io.vlmtagger.models.pipeline;
