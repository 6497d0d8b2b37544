package io.vlmtagger.jobs.bench;

import io.vlmtagger.models.api.CaptionRequest;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.ImageCaptioner;
import io.vlmtagger.models.api.ModelInfo;
import io.vlmtagger.models.api.PixelValues;
import io.vlmtagger.operators.runtime.ModelProvider;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The dedup phase's model: a fixed cost per image it captions (a sleep of {@code millisPerImage}
 * per row on the model thread, as a model whose time grows with the batch), no decoding, and a
 * count of the rows it was asked for: what dedup saves is model rows, and the count shows it.
 */
final class CountingCaptioner implements ImageCaptioner {
    private static final ModelInfo INFO = new ModelInfo("counting", "counting-1", "cpu", "float32");
    /** Rows per counter name, in this JVM (the provider is serialized into the job: it carries the name). */
    private static final Map<String, AtomicLong> ROWS = new ConcurrentHashMap<>();

    private final NoopCaptioner noop = new NoopCaptioner();
    private final int millisPerImage;
    private final AtomicLong rows;

    private CountingCaptioner(int millisPerImage, AtomicLong rows) {
        this.millisPerImage = millisPerImage;
        this.rows = rows;
    }

    /** Every handle the provider opens adds its rows to the counter {@code counter} ({@link #rows}). */
    static ModelProvider<ImageCaptioner> provider(int millisPerImage, String counter) {
        return (spec, device) -> new CountingCaptioner(millisPerImage, rows(counter));
    }

    /** The rows captioned by the handles of {@link #provider} with this counter name. */
    static AtomicLong rows(String counter) {
        return ROWS.computeIfAbsent(counter, k -> new AtomicLong());
    }

    @Override
    public ModelInfo info() {
        return INFO;
    }

    @Override
    public PixelValues preprocess(byte[] encodedImage) {
        return noop.preprocess(encodedImage); // no decoding
    }

    @Override
    public List<GenerationResult> caption(List<CaptionRequest> requests, GenerationOptions options) {
        rows.addAndGet(requests.size());
        try {
            Thread.sleep((long) millisPerImage * requests.size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return noop.caption(requests, options);
    }

    @Override
    public void close() {}
}
