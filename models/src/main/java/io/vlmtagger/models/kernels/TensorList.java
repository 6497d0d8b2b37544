package io.vlmtagger.models.kernels;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.IValue;
import java.util.List;

/**
 * A {@code List[Tensor]} argument built once and passed to many calls: a layer stack's weights,
 * a static KV cache. It references the tensors (they stay alive while it is open), it does not
 * copy them. Close it before the tensors' manager, or with it.
 */
public final class TensorList implements AutoCloseable {
    private final IValue value;
    private final int size;

    TensorList(List<NDArray> tensors) {
        PtNDArray[] pts = new PtNDArray[tensors.size()];
        for (int i = 0; i < pts.length; i++) {
            pts[i] = Kernels.pt(tensors.get(i));
        }
        this.value = IValue.listFrom(pts);
        this.size = pts.length;
        Kernels.countNative(1);
    }

    IValue value() {
        return value;
    }

    public int size() {
        return size;
    }

    @Override
    public void close() {
        value.close();
    }
}
