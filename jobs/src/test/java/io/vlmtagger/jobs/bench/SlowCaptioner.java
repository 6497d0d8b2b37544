package io.vlmtagger.jobs.bench;

import io.vlmtagger.models.api.CaptionRequest;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.ImageCaptioner;
import io.vlmtagger.models.api.ImageDecodeException;
import io.vlmtagger.models.api.ModelInfo;
import io.vlmtagger.models.api.PixelValues;

import java.util.List;

/** A captioner that costs a fixed time per model call (the soak's stand-in for a real model's batch). */
final class SlowCaptioner implements ImageCaptioner {
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
        return delegate.caption(requests, options);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
