package io.vlmtagger.jobs.reliability;

import io.vlmtagger.models.api.CaptionRequest;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.ImageCaptioner;
import io.vlmtagger.models.api.ModelInfo;
import io.vlmtagger.models.api.PixelValues;
import io.vlmtagger.models.api.Timings;
import io.vlmtagger.operators.runtime.ModelProvider;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A captioner with a device memory budget: a batch of more than {@code maxBatch} images fails the way
 * DJL reports a native allocator failure ({@code EngineException}-style message "CUDA out of memory.
 * Tried to allocate ..."); smaller batches succeed. Images are UTF-8 labels; the caption of
 * {@code x} is {@code "a photo of x"}. Instances live in a per-JVM registry keyed by id, so that the
 * serializable provider shipped inside the job finds the test's instance (as FakeModels does).
 */
final class BatchLimitedCaptioner implements ImageCaptioner {
    private static final Map<String, BatchLimitedCaptioner> REGISTRY = new ConcurrentHashMap<>();

    private final int maxBatch;
    private final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
    private final List<Integer> failedSizes = Collections.synchronizedList(new ArrayList<>());

    BatchLimitedCaptioner(int maxBatch) {
        this.maxBatch = maxBatch;
    }

    static String register(String id, BatchLimitedCaptioner c) {
        REGISTRY.put(id, c);
        return id;
    }

    static void unregister(String id) {
        REGISTRY.remove(id);
    }

    static ModelProvider<ImageCaptioner> provider(String id) {
        return (spec, device) -> {
            BatchLimitedCaptioner c = REGISTRY.get(id);
            if (c == null) {
                throw new IllegalStateException("no BatchLimitedCaptioner registered under " + id);
            }
            return c;
        };
    }

    List<Integer> batchSizes() {
        synchronized (batchSizes) {
            return List.copyOf(batchSizes);
        }
    }

    List<Integer> failedSizes() {
        synchronized (failedSizes) {
            return List.copyOf(failedSizes);
        }
    }

    @Override
    public ModelInfo info() {
        return new ModelInfo("batch-limited", "test", "gpu:0", "float16");
    }

    @Override
    public PixelValues preprocess(byte[] encodedImage) {
        float[] chw = new float[encodedImage.length];
        for (int i = 0; i < chw.length; i++) {
            chw[i] = encodedImage[i];
        }
        return new PixelValues(chw, 1, 1, chw.length);
    }

    @Override
    public List<GenerationResult> caption(List<CaptionRequest> requests, GenerationOptions options) {
        batchSizes.add(requests.size());
        if (requests.size() > maxBatch) {
            failedSizes.add(requests.size());
            throw new IllegalStateException("CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; "
                    + requests.size() + " images in the batch)");
        }
        List<GenerationResult> out = new ArrayList<>();
        for (CaptionRequest r : requests) {
            float[] chw = r.pixels().chw();
            byte[] b = new byte[chw.length];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) chw[i];
            }
            String text = "a photo of " + new String(b, StandardCharsets.UTF_8);
            out.add(new GenerationResult(text, new long[] {1}, 1, 1, new Timings(0, 0, 0, 0)));
        }
        return out;
    }

    @Override
    public void close() {
    }
}
