package io.vlmtagger.operators.testutils;

import io.vlmtagger.models.api.CaptionRequest;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.ImageCaptioner;
import io.vlmtagger.models.api.ModelInfo;
import io.vlmtagger.models.api.PixelValues;

import java.util.ArrayList;
import java.util.List;

/**
 * A controllable {@link ImageCaptioner}: images are the UTF-8 bytes of a label (see {@link
 * FakeImages}); the caption of label {@code x} is {@code "a photo of x"}. In automatic mode calls
 * return at once; in manual mode each call blocks until the test completes it through {@link
 * #nextCall}. Labels starting with {@code poison} fail every batch containing them; labels
 * starting with {@code corrupt}/{@code huge} fail preprocessing.
 */
public final class FakeCaptioner extends FakeModel<CaptionRequest> implements ImageCaptioner {

    public FakeCaptioner() {
        super(new ModelInfo("fake-blip2", "rev-1", "cpu", "float32"));
    }

    @Override
    public PixelValues preprocess(byte[] encodedImage) throws io.vlmtagger.models.api.ImageDecodeException {
        return FakeImages.decode(encodedImage, this);
    }

    @Override
    public List<GenerationResult> caption(List<CaptionRequest> requests, GenerationOptions options) {
        List<String> labels = new ArrayList<>();
        for (CaptionRequest r : requests) {
            labels.add(FakeImages.label(r.pixels()));
        }
        return run(requests, labels, label -> "a photo of " + label);
    }

    /** Acquire through a provider: counts the handle and remembers the device. */
    public FakeCaptioner open(String device) {
        onOpen(device);
        return this;
    }

    @Override
    public void close() {
        onClose();
    }
}
