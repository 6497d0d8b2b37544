package io.vlmtagger.operators.caption;

import io.vlmtagger.models.api.CaptionRequest;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.ImageCaptioner;
import io.vlmtagger.models.api.ImageDecodeException;
import io.vlmtagger.models.api.ModelInfo;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.operators.runtime.DedupKey;
import io.vlmtagger.operators.runtime.InferenceRuntime;
import io.vlmtagger.operators.runtime.ModelHandler;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The caption stage's part of the runtime: decode and resize the image, caption a batch. */
final class CaptionHandler implements ModelHandler<CaptionInput, GenerationResult> {
    private final ImageCaptioner model;
    private final String prompt;
    private final GenerationOptions generation;

    CaptionHandler(ImageCaptioner model, String prompt, GenerationOptions generation) {
        this.model = model;
        this.prompt = prompt;
        this.generation = generation;
    }

    /** A runtime builder for {@code model}; with {@code dedupCacheEntries >= 0}, deduplicating by image hash. */
    static InferenceRuntime.Builder<CaptionInput, GenerationResult> runtime(ImageCaptioner model, String prompt,
            GenerationOptions generation, int dedupCacheEntries) {
        InferenceRuntime.Builder<CaptionInput, GenerationResult> b = InferenceRuntime.<CaptionInput, GenerationResult>builder()
                .setHandler(new CaptionHandler(model, prompt, generation))
                .optNewTokens(GenerationResult::newTokens);
        if (dedupCacheEntries >= 0) {
            ModelInfo info = model.info();
            String revision = Objects.toString(info.revision(), info.name());
            String request = prompt + "|" + generation;
            b.optDedup(dedupCacheEntries, input -> dedupKey(input.task, revision, request));
        }
        return b;
    }

    /** Same image bytes, model revision, prompt and options; null when there are no bytes to compare. */
    private static DedupKey dedupKey(ImageTask task, String revision, String request) {
        if (task.imageBytes == null || task.imageBytes.length == 0) {
            return null;
        }
        return task.imageSha256 != null ? new DedupKey(task.imageSha256, revision, request)
                : DedupKey.of(task.imageBytes, revision, request);
    }

    @Override
    public CaptionInput preprocess(CaptionInput input) throws ImageDecodeException {
        input.preprocessOnce(model::preprocess, "captioning");
        return input;
    }

    @Override
    public List<GenerationResult> runBatch(List<CaptionInput> batch) {
        List<CaptionRequest> requests = new ArrayList<>(batch.size());
        for (CaptionInput input : batch) {
            requests.add(new CaptionRequest(input.pixels(), prompt));
        }
        return model.caption(requests, generation);
    }
}
