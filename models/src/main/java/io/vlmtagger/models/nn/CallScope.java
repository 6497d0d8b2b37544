package io.vlmtagger.models.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.function.UnaryOperator;

/**
 * Runs one block (a transformer layer) so that its intermediate arrays are freed as soon as it
 * returns, not when the whole call's manager closes: the input is temporarily attached to a
 * sub-manager (so every op whose first operand derives from it lands there), the output is moved
 * back to the caller's manager, and the sub-manager is closed. Keeps peak memory at about one
 * layer's activations instead of the whole stack's.
 */
public final class CallScope {
    private CallScope() {}

    /** {@code block.apply(x)}, with the block's temporaries freed on return; the result lives in x's manager. */
    public static NDArray apply(NDArray x, UnaryOperator<NDArray> block) {
        NDManager parent = x.getManager();
        try (NDManager scope = parent.newSubManager()) {
            x.tempAttach(scope);
            NDArray out = block.apply(x);
            out.attach(parent);
            return out;
        }
    }
}
