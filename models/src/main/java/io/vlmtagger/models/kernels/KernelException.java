package io.vlmtagger.models.kernels;

/** A kernel method failed inside libtorch (bad shapes, out of memory, ...); the message is libtorch's. */
public final class KernelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    KernelException(String message, Throwable cause) {
        super(message, cause);
    }
}
