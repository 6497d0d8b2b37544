package io.vlmtagger.models.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every module's sources compile in the libtorch the engine ships, and calls pass values both ways. */
class KernelModulesTest {

    @ParameterizedTest
    @EnumSource(KernelModule.class)
    void everyModuleCompilesAndRuns(KernelModule module) {
        try (NDManager m = NDManager.newBaseManager(); Kernels kernels = Kernels.load(Device.cpu(), module)) {
            NDArray x = m.create(new float[] {1, -2, 3}, new Shape(1, 3));
            assertThat(kernels.call("forward").tensor(x).run(m).toFloatArray()).containsExactly(1, -2, 3);
            // act(x, 3) is relu in every module (common.ts)
            assertThat(kernels.call("act").tensor(x).i(3).run(m).toFloatArray()).containsExactly(1, 0, 3);
        }
    }

    @Test
    void tupleResultsAndTensorListsComeBack() {
        try (NDManager m = NDManager.newBaseManager(); Kernels kernels = Kernels.load(Device.cpu(), KernelModule.CLIP)) {
            NDArray k = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2));
            NDArray v = m.create(new float[] {5, 6, 7, 8}, new Shape(1, 1, 2, 2));
            NDArray empty = m.create(new Shape(0));
            // growing cache: an empty cache returns the new keys as the cache
            var out = kernels.call("kv_update").tensor(k).tensor(v).tensor(empty).tensor(empty).i(0).i(1).runTuple(m);
            assertThat(out).hasSize(4);
            assertThat(out.get(2).singletonOrThrow().toFloatArray()).containsExactly(1, 2, 3, 4);
            var again = kernels.call("kv_update").tensor(k).tensor(v).tensor(out.get(2).singletonOrThrow())
                    .tensor(out.get(3).singletonOrThrow()).i(2).i(1).runTuple(m);
            assertThat(again.get(2).singletonOrThrow().getShape()).isEqualTo(new Shape(1, 1, 4, 2));
            try (TensorList list = kernels.list(List.of(k, v))) {
                assertThat(list.size()).isEqualTo(2);
            }
        }
    }

    @Test
    void aServingThreadRunsWithoutAutogradAndATrainingThreadRecordsTheGraph() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); Kernels kernels = Kernels.load(Device.cpu(), KernelModule.CLIP)) {
            NDArray x = m.create(new float[] {1, -2, 3}, new Shape(1, 3));
            x.setRequiresGradient(true);
            // libtorch starts a new thread with gradients on (DJL turns them off only where the
            // engine loaded): a worker's calls must still run in inference mode
            boolean[] serving = new boolean[2];
            onNewThread(() -> {
                serving[0] = kernels.call("act").tensor(x).i(3).run(m).hasGradient();
                serving[1] = JniUtils.isGradMode();
            });
            assertThat(serving).containsExactly(false, false);
            // a thread whose first call is inside a gradient collector records the graph
            float[][] grad = new float[1][];
            onNewThread(() -> {
                try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                    NDArray y = kernels.call("act").tensor(x).i(3).run(m);
                    collector.backward(y.sum());
                    grad[0] = x.getGradient().toFloatArray();
                }
            });
            assertThat(grad[0]).containsExactly(1, 0, 1);
        }
    }

    private static void onNewThread(Runnable body) throws Exception {
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, "kernels-test-worker");
        t.start();
        t.join();
        if (failure[0] != null) {
            throw new AssertionError("on the worker thread", failure[0]);
        }
    }

    @Test
    void aFailingCallNamesTheMethodAndLibtorchsReason() {
        try (NDManager m = NDManager.newBaseManager(); Kernels kernels = Kernels.load(Device.cpu(), KernelModule.CLIP)) {
            NDArray bad = m.create(new float[] {1, 2, 3}, new Shape(3));
            assertThatThrownBy(() -> kernels.call("merge").tensor(bad).run(m))
                    .isInstanceOf(KernelException.class)
                    .hasMessageContaining("ClipKernels.merge failed");
        }
    }
}
