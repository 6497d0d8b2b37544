package io.vlmtagger.jobs.reliability;

import io.vlmtagger.models.api.CaptionRequest;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.ImageCaptioner;
import io.vlmtagger.models.api.ImageDecodeException;
import io.vlmtagger.models.api.ModelInfo;
import io.vlmtagger.models.api.PixelValues;
import io.vlmtagger.models.api.Timings;
import io.vlmtagger.models.preprocess.ImageDecoder;
import io.vlmtagger.models.preprocess.ImagePreprocessor;
import io.vlmtagger.models.preprocess.RgbImage;
import io.vlmtagger.operators.runtime.ModelProvider;

import java.util.ArrayList;
import java.util.List;

/**
 * A captioner whose preprocessing is the models module's real {@link ImageDecoder} (every format
 * ImageIO reads, the header pixel budget of {@link ImagePreprocessor#DEFAULT_MAX_PIXELS}, PIL-style
 * RGB conversion) and whose "generation" names the decoded size: {@code "a photo of a WxH image"}.
 * Bad inputs are decided by decoding, not by the weights, so the bad-input corpus runs on this
 * rather than on a real BLIP-2 (which would only add seconds per image on a shared CPU).
 */
class DecodingCaptioner implements ImageCaptioner {
    private final ImageDecoder decoder = new ImageDecoder(ImagePreprocessor.DEFAULT_MAX_PIXELS);

    /** A provider for the job; serializable (a static method reference). */
    static ModelProvider<ImageCaptioner> provider() {
        return DecodingCaptioner::open;
    }

    private static ImageCaptioner open(io.vlmtagger.operators.runtime.ModelSpec spec, String device) {
        return new DecodingCaptioner();
    }

    @Override
    public ModelInfo info() {
        return new ModelInfo("decoding-captioner", "test", "cpu", "float32");
    }

    @Override
    public PixelValues preprocess(byte[] encodedImage) throws ImageDecodeException {
        RgbImage rgb = decoder.decode(encodedImage);
        return new PixelValues(new float[] {rgb.width(), rgb.height()}, 1, 1, 2);
    }

    @Override
    public List<GenerationResult> caption(List<CaptionRequest> requests, GenerationOptions options) {
        List<GenerationResult> out = new ArrayList<>();
        for (CaptionRequest r : requests) {
            float[] size = r.pixels().chw();
            String text = "a photo of a " + (int) size[0] + "x" + (int) size[1] + " image";
            out.add(new GenerationResult(text, new long[] {1}, 1, 1, new Timings(0, 0, 0, 0)));
        }
        return out;
    }

    @Override
    public void close() {
    }
}
