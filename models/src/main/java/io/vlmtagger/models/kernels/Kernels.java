package io.vlmtagger.models.kernels;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A model's compute graph as a TorchScript module on one device: the layer math of an
 * architecture lives in {@code .ts} sources (see {@link ScriptArchive}), compiled by libtorch when
 * the module loads, and runs as ONE native call per method ({@link #call}) instead of one DJL call,
 * one Java {@code NDArray} and one manager entry per tensor operation. Intermediates inside a call
 * are freed by libtorch's reference counting as soon as they are dead, so a call's peak memory is
 * its live tensors, not everything it computed.
 *
 * <p>Weights are passed as tensor lists built once ({@link #list}). Methods run without autograd
 * (inference mode) unless the calling thread has gradients on (DJL's {@code GradientCollector}),
 * in which case they record the graph so that training through the same code works. libtorch
 * starts every thread with gradients on and DJL turns them off only on the thread that loads the
 * engine, so a thread's first kernel call turns them off when no collector is open: a serving
 * thread (a Flink mailbox or a batcher worker) runs in inference mode like the loading thread.
 *
 * <p>Thread-safe: a module's methods may run on several threads at once.
 */
public final class Kernels implements AutoCloseable {
    /** Every native call made through kernels (method runs and argument/result conversions). */
    private static final AtomicLong NATIVE_CALLS = new AtomicLong();
    private static final ThreadLocal<Boolean> THREAD_READY = ThreadLocal.withInitial(() -> false);

    private final String name;
    private final PtNDManager manager;
    private final PtSymbolBlock block;

    private Kernels(String name, PtNDManager manager, PtSymbolBlock block) {
        this.name = name;
        this.manager = manager;
        this.block = block;
    }

    /** Compiles {@code module}'s sources into one class and loads it on {@code device}. */
    public static Kernels load(Device device, KernelModule module) {
        String className = module.className();
        String source = ScriptArchive.classSource(className, module.sources());
        byte[] archive = ScriptArchive.write(className, source);
        PtNDManager manager = (PtNDManager) NDManager.newBaseManager(device);
        manager.setName("kernels:" + className);
        try {
            PtSymbolBlock block = JniUtils.loadModule(manager, new ByteArrayInputStream(archive), true, false);
            return new Kernels(className, manager, block);
        } catch (IOException e) {
            manager.close();
            throw new UncheckedIOException("cannot load the " + className + " kernels", e);
        } catch (RuntimeException e) {
            manager.close();
            throw new IllegalStateException("libtorch refused the " + className + " kernels (" + e.getMessage()
                    + "); the TorchScript frontend of this libtorch build may be missing", e);
        }
    }

    /** Starts a call of {@code method}; add its arguments in order, then run it. */
    public KernelCall call(String method) {
        return new KernelCall(this, method);
    }

    /** A tensor list argument kept for many calls (weights, a static cache); close it when done. */
    public TensorList list(List<NDArray> tensors) {
        return new TensorList(tensors);
    }

    /** Native calls made through all kernels so far (for overhead benchmarks). */
    public static long nativeCalls() {
        return NATIVE_CALLS.get();
    }

    static void countNative(int n) {
        NATIVE_CALLS.addAndGet(n);
    }

    String name() {
        return name;
    }

    /** Runs {@code method} on already converted arguments; the caller closes the result. */
    IValue run(String method, IValue[] args) {
        if (!THREAD_READY.get()) {
            // thread-local in libtorch: plain interpretation, no profiling runs or fusion (stable
            // speed from the first call, no recompilation as sequence lengths change)
            JniUtils.setGraphExecutorOptimize(false);
            if (!DjlInternals.collectingGradients()) {
                JniUtils.setGradMode(false); // a new thread's default; a collector turns it on and back off
            }
            THREAD_READY.set(true);
        }
        long[] handles = new long[args.length];
        for (int i = 0; i < args.length; i++) {
            handles[i] = args[i].getHandle();
        }
        boolean train = JniUtils.isGradMode();
        countNative(2);
        try {
            return DjlInternals.runMethod(block.getHandle(), method, handles, train);
        } catch (RuntimeException e) {
            throw new KernelException(name + "." + method + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        block.close();
        manager.close();
    }

    static PtNDArray pt(NDArray a) {
        if (a instanceof PtNDArray p) {
            return p;
        }
        throw new IllegalArgumentException("kernels run on DJL's PyTorch engine; got a " + a.getClass().getName());
    }
}
