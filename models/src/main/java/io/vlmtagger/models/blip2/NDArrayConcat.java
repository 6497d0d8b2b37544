package io.vlmtagger.models.blip2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/** Concatenation of model-lifetime arrays into one array attached to the model manager. */
final class NDArrayConcat {
    private NDArrayConcat() {}

    static NDArray of(NDManager owner, NDArray... parts) {
        NDArray out = NDArrays.concat(new NDList(parts), 0);
        out.attach(owner);
        return out;
    }
}
