package io.vlmtagger.models.kernels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.IValue;
import java.util.ArrayList;
import java.util.List;

/**
 * One call of a kernel method: arguments in the order of the method's parameters, then {@link
 * #run} (one tensor back) or {@link #runTuple} (a tuple of tensors and tensor lists). Every
 * temporary native value is freed before the run methods return; the results are arrays of the
 * given manager.
 */
public final class KernelCall {
    private final Kernels kernels;
    private final String method;
    private final List<IValue> args = new ArrayList<>(12);
    private final List<IValue> owned = new ArrayList<>(12);

    KernelCall(Kernels kernels, String method) {
        this.kernels = kernels;
        this.method = method;
    }

    /** A {@code Tensor} argument. */
    public KernelCall tensor(NDArray a) {
        return own(IValue.from(Kernels.pt(a)));
    }

    /** A {@code List[Tensor]} argument made for this call only. */
    public KernelCall tensors(List<NDArray> list) {
        PtNDArray[] pts = new PtNDArray[list.size()];
        for (int i = 0; i < pts.length; i++) {
            pts[i] = Kernels.pt(list.get(i));
        }
        return own(IValue.listFrom(pts));
    }

    /** A {@code List[Tensor]} argument kept across calls (not freed here). */
    public KernelCall list(TensorList list) {
        args.add(list.value());
        return this;
    }

    /** An {@code int} argument. */
    public KernelCall i(long v) {
        return own(IValue.from(v));
    }

    /** A {@code float} argument. */
    public KernelCall f(double v) {
        return own(IValue.from(v));
    }

    /** A {@code bool} argument. */
    public KernelCall b(boolean v) {
        return own(IValue.from(v));
    }

    /** A {@code List[int]} argument. */
    public KernelCall ints(long... v) {
        return own(IValue.listFrom(v));
    }

    /** A {@code List[float]} argument. */
    public KernelCall floats(double... v) {
        return own(IValue.listFrom(v));
    }

    private KernelCall own(IValue v) {
        Kernels.countNative(1);
        args.add(v);
        owned.add(v);
        return this;
    }

    /** Runs a method that returns one tensor; the result lives in {@code out}. */
    public NDArray run(NDManager out) {
        try (IValue result = invoke()) {
            Kernels.countNative(1);
            return result.toTensor((PtNDManager) out);
        }
    }

    /**
     * Runs a method that returns a tuple; element {@code i} comes back as a one-array list (a
     * tensor) or as the list's arrays (a {@code List[Tensor]}), all in {@code out}.
     */
    public List<NDList> runTuple(NDManager out) {
        try (IValue result = invoke()) {
            IValue[] items = result.toIValueTuple();
            Kernels.countNative(1 + items.length);
            List<NDList> lists = new ArrayList<>(items.length);
            try {
                for (IValue item : items) {
                    if (item.isTensor()) {
                        lists.add(new NDList(item.toTensor((PtNDManager) out)));
                    } else {
                        lists.add(new NDList(item.toTensorArray((PtNDManager) out)));
                    }
                }
            } finally {
                for (IValue item : items) {
                    item.close();
                }
            }
            return lists;
        }
    }

    private IValue invoke() {
        try {
            return kernels.run(method, args.toArray(new IValue[0]));
        } finally {
            for (IValue v : owned) {
                v.close();
            }
            owned.clear();
            args.clear();
        }
    }
}
