package io.vlmtagger.models.testutil;

import ai.djl.ndarray.NDArray;
import io.vlmtagger.models.generate.CausalDecoder;
import io.vlmtagger.models.generate.KvCache;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntConsumer;

/**
 * A {@link CausalDecoder} that delegates to a real one and, before forward pass {@code n}
 * (counted from 1 over prefills and steps), runs a hook on the calling thread: tests use it to
 * submit a request at an exact step boundary, block the loop, or cancel a row. It also records
 * the batch size of every forward.
 */
public final class StepHookDecoder implements CausalDecoder {
    private final CausalDecoder delegate;
    private final IntConsumer beforeForward;
    private final List<Long> batchSizes = new CopyOnWriteArrayList<>();
    private final List<Long> prefillRows = new CopyOnWriteArrayList<>();

    public StepHookDecoder(CausalDecoder delegate, IntConsumer beforeForward) {
        this.delegate = delegate;
        this.beforeForward = beforeForward;
    }

    /** Rows of every forward so far, in order. */
    public List<Long> batchSizes() {
        return List.copyOf(batchSizes);
    }

    /** Rows of every forward over more than one new position (a prefill of prompts longer than 1). */
    public List<Long> prefillRows() {
        return List.copyOf(prefillRows);
    }

    @Override
    public NDArray embed(NDArray inputIds) {
        return delegate.embed(inputIds);
    }

    @Override
    public NDArray forward(NDArray inputsEmbeds, NDArray attentionMask, KvCache cache) {
        hook(inputsEmbeds);
        return delegate.forward(inputsEmbeds, attentionMask, cache);
    }

    @Override
    public NDArray forwardLast(NDArray inputsEmbeds, NDArray attentionMask, KvCache cache) {
        hook(inputsEmbeds);
        return delegate.forwardLast(inputsEmbeds, attentionMask, cache);
    }

    private void hook(NDArray inputsEmbeds) {
        batchSizes.add(inputsEmbeds.getShape().get(0));
        if (inputsEmbeds.getShape().get(1) > 1) {
            prefillRows.add(inputsEmbeds.getShape().get(0));
        }
        beforeForward.accept(batchSizes.size());
    }

    @Override
    public KvCache newCache() {
        return delegate.newCache();
    }

    @Override
    public int vocabSize() {
        return delegate.vocabSize();
    }

    @Override
    public int maxPositions() {
        return delegate.maxPositions();
    }
}
