package io.vlmtagger.jobs.bench;

import io.vlmtagger.models.api.CaptionRequest;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.ImageCaptioner;
import io.vlmtagger.models.api.ImageDecodeException;
import io.vlmtagger.models.api.ModelInfo;
import io.vlmtagger.models.api.PixelValues;
import io.vlmtagger.models.api.Timings;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The soak's stand-in for a real model: a fixed time per model call (a sleep on the model thread),
 * then the caption {@code "a photo of <label>"} of each fake image, as the operators' {@code
 * FakeCaptioner} answers. Preprocessing (where corrupt images fail) is the delegate's; captioning
 * is done here because the fake records every call, request and result for tests to inspect,
 * which in a soak grows the heap by itself (~2 MB/min at 50 events/s, found by the soak's class
 * histogram: {@code FakeModel$Call}, {@code CaptionRequest}, {@code PixelValues}, ...).
 */
final class SlowCaptioner implements ImageCaptioner {
    private static final Timings TIMINGS = new Timings(1.0, 2.0, 3.0, 6.0);
    private static final long[] TOKENS = {1, 2, 3};

    private final ImageCaptioner delegate;
    private final int millisPerCall;

    SlowCaptioner(ImageCaptioner delegate, int millisPerCall) {
        this.delegate = delegate;
        this.millisPerCall = millisPerCall;
    }

    @Override
    public ModelInfo info() {
        return delegate.info();
    }

    @Override
    public PixelValues preprocess(byte[] encodedImage) throws ImageDecodeException {
        return delegate.preprocess(encodedImage);
    }

    @Override
    public List<GenerationResult> caption(List<CaptionRequest> requests, GenerationOptions options) {
        try {
            Thread.sleep(millisPerCall);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        List<GenerationResult> out = new ArrayList<>(requests.size());
        for (CaptionRequest r : requests) {
            out.add(new GenerationResult("a photo of " + label(r.pixels()), TOKENS, 10, TOKENS.length, TIMINGS));
        }
        return out;
    }

    /** The fake image's label: its pixels are the label's UTF-8 bytes, one per float. */
    private static String label(PixelValues pixels) {
        float[] chw = pixels.chw();
        byte[] b = new byte[chw.length];
        for (int i = 0; i < chw.length; i++) {
            b[i] = (byte) chw[i];
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
