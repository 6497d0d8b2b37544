package io.vlmtagger.models.kernels;

import ai.djl.pytorch.jni.IValue;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The package-private pieces of DJL 0.36's PyTorch engine the kernels need, reached by reflection
 * (a class of ours in DJL's package would fail on a Flink cluster, where DJL sits in the parent
 * classloader): {@code PyTorchLibrary.moduleRunMethod} with its {@code isTrain} flag (the public
 * {@code IValueUtils.runMethod} always runs in inference mode, which would cut the autograd graph
 * of a training step), the {@code IValue(long)} constructor for its result, and whether a {@code
 * PtGradientCollector} is open (DJL allows one at a time, process-wide).
 */
final class DjlInternals {
    private static final Object LIBRARY;
    private static final Method RUN_METHOD;
    private static final Constructor<IValue> IVALUE;
    private static final AtomicBoolean COLLECTING;

    static {
        try {
            Class<?> lib = Class.forName("ai.djl.pytorch.jni.PyTorchLibrary");
            Field f = lib.getDeclaredField("LIB");
            f.setAccessible(true);
            LIBRARY = f.get(null);
            RUN_METHOD = lib.getDeclaredMethod("moduleRunMethod", long.class, String.class, long[].class,
                    boolean.class, boolean.class);
            RUN_METHOD.setAccessible(true);
            IVALUE = IValue.class.getDeclaredConstructor(long.class);
            IVALUE.setAccessible(true);
            Field collecting = Class.forName("ai.djl.pytorch.engine.PtGradientCollector").getDeclaredField("isCollecting");
            collecting.setAccessible(true);
            COLLECTING = (AtomicBoolean) collecting.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError("DJL's PyTorch engine is not the 0.36 one the kernels were written for: " + e);
        }
    }

    private DjlInternals() {}

    /** Whether a DJL {@code GradientCollector} is open now (on any thread). */
    static boolean collectingGradients() {
        return COLLECTING.get();
    }

    /** Runs {@code method} of the module {@code moduleHandle} on IValue handles; the result is the caller's. */
    static IValue runMethod(long moduleHandle, String method, long[] ivalueHandles, boolean train) {
        try {
            long out = (Long) RUN_METHOD.invoke(LIBRARY, moduleHandle, method, ivalueHandles, train, false);
            return IVALUE.newInstance(out);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
