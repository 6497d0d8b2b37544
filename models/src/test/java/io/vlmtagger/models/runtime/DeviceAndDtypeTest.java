package io.vlmtagger.models.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;

class DeviceAndDtypeTest {

    @Test
    void parsesDevices() {
        assertThat(DeviceSpec.parse("cpu")).isEqualTo(DeviceSpec.CPU);
        assertThat(DeviceSpec.parse(" CPU ")).isEqualTo(DeviceSpec.CPU);
        assertThat(DeviceSpec.parse("gpu")).isEqualTo(DeviceSpec.gpu(0));
        assertThat(DeviceSpec.parse("gpu:3")).isEqualTo(DeviceSpec.gpu(3));
        assertThat(DeviceSpec.parse("cuda:1")).isEqualTo(DeviceSpec.gpu(1));
        assertThat(DeviceSpec.parse("gpu:2").toString()).isEqualTo("gpu:2");
        assertThatThrownBy(() -> DeviceSpec.parse("tpu")).hasMessageContaining("use cpu, gpu or gpu:N");
        assertThatThrownBy(() -> DeviceSpec.parse("gpu:-1")).hasMessageContaining("bad gpu index");
        assertThatThrownBy(() -> DeviceSpec.parse("gpu:x")).hasMessageContaining("bad gpu index");
        assertThatThrownBy(() -> DeviceSpec.parse("gpu0")).hasMessageContaining("use cpu, gpu or gpu:N");
    }

    @Test
    void mapsToDjlDevicesAndRefusesGpusTheEngineDoesNotSee() {
        Engine engine = Engine.getEngine("PyTorch");
        assertThat(DeviceSpec.CPU.toDevice(engine)).isEqualTo(Device.cpu());
        int gpus = engine.getGpuCount();
        if (gpus > 0) {
            assertThat(DeviceSpec.gpu(0).toDevice(engine)).isEqualTo(Device.gpu(0));
        }
        assertThatThrownBy(() -> DeviceSpec.gpu(gpus).toDevice(engine))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("gpu:" + gpus + " was requested")
                .hasMessageContaining("sees " + gpus + " GPU(s)");
    }

    @Test
    void parsesDtypes() {
        assertThat(ComputeDtype.parse("float32")).isEqualTo(ComputeDtype.FLOAT32);
        assertThat(ComputeDtype.parse("fp16")).isEqualTo(ComputeDtype.FLOAT16);
        assertThat(ComputeDtype.parse("half")).isEqualTo(ComputeDtype.FLOAT16);
        assertThat(ComputeDtype.parse("BF16")).isEqualTo(ComputeDtype.BFLOAT16);
        assertThat(ComputeDtype.parse("auto")).isEqualTo(ComputeDtype.AUTO);
        assertThatThrownBy(() -> ComputeDtype.parse("int8")).hasMessageContaining("use float32, float16, bfloat16 or auto");
    }

    @Test
    void autoIsFloat32OnCpuAndFloat16OnGpu() {
        assertThat(ComputeDtype.AUTO.resolve(DeviceSpec.CPU)).isEqualTo(DataType.FLOAT32);
        assertThat(ComputeDtype.AUTO.resolve(DeviceSpec.gpu(0))).isEqualTo(DataType.FLOAT16);
        assertThat(ComputeDtype.FLOAT16.resolve(DeviceSpec.CPU)).isEqualTo(DataType.FLOAT16);
        assertThat(ComputeDtype.BFLOAT16.resolve(DeviceSpec.gpu(0))).isEqualTo(DataType.BFLOAT16);
    }

    @Test
    void engineThreadsSplitCoresAndRespectExplicitSettings() {
        String oldIntra = System.getProperty(EngineThreads.NUM_THREADS);
        String oldInter = System.getProperty(EngineThreads.NUM_INTEROP_THREADS);
        try {
            System.clearProperty(EngineThreads.NUM_THREADS);
            System.clearProperty(EngineThreads.NUM_INTEROP_THREADS);
            EngineThreads.Settings s = EngineThreads.configure(3, 16);
            assertThat(s).isEqualTo(new EngineThreads.Settings(5, 1, true));
            assertThat(System.getProperty(EngineThreads.NUM_THREADS)).isEqualTo("5");

            System.setProperty(EngineThreads.NUM_THREADS, "7");
            System.clearProperty(EngineThreads.NUM_INTEROP_THREADS);
            assertThat(EngineThreads.configure(8, 2)).isEqualTo(new EngineThreads.Settings(7, 1, true));
            assertThat(EngineThreads.configure(8, 2).changed()).isFalse();

            System.clearProperty(EngineThreads.NUM_THREADS);
            assertThat(EngineThreads.configure(8, 2).intraOpThreads()).isEqualTo(1);
            assertThatThrownBy(() -> EngineThreads.configure(0, 2)).hasMessageContaining("must be positive");
        } finally {
            restore(EngineThreads.NUM_THREADS, oldIntra);
            restore(EngineThreads.NUM_INTEROP_THREADS, oldInter);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }
}
