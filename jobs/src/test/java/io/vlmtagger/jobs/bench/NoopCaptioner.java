package io.vlmtagger.jobs.bench;

import io.vlmtagger.models.api.CaptionRequest;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.ImageCaptioner;
import io.vlmtagger.models.api.ModelInfo;
import io.vlmtagger.models.api.PixelValues;
import io.vlmtagger.models.api.Timings;
import io.vlmtagger.operators.runtime.ModelProvider;

import java.util.ArrayList;
import java.util.List;

/**
 * A model that costs nothing: preprocessing returns one shared 1x1 pixel tensor without decoding,
 * captioning returns a fixed text. What is left is the framework: Kafka, decode, batching, async
 * I/O, tagging, exactly-once sinks, the index.
 */
final class NoopCaptioner implements ImageCaptioner {
    private static final PixelValues PIXEL = new PixelValues(new float[3], 3, 1, 1);
    private static final GenerationResult RESULT = new GenerationResult("a photo of a red square on a table",
            new long[] {1, 2, 3}, 1, 3, new Timings(0, 0, 0, 0));
    private static final ModelInfo INFO = new ModelInfo("noop", "noop-1", "cpu", "float32");

    static ModelProvider<ImageCaptioner> provider() {
        return (spec, device) -> new NoopCaptioner();
    }

    @Override
    public ModelInfo info() {
        return INFO;
    }

    @Override
    public PixelValues preprocess(byte[] encodedImage) {
        return PIXEL;
    }

    @Override
    public List<GenerationResult> caption(List<CaptionRequest> requests, GenerationOptions options) {
        List<GenerationResult> out = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            out.add(RESULT);
        }
        return out;
    }

    @Override
    public void close() {}
}
