package io.vlmtagger.models.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;
import java.util.Objects;

/**
 * Where a model runs, as written in configuration: {@code "cpu"}, {@code "gpu"} (= {@code
 * "gpu:0"}) or {@code "gpu:N"} ({@code "cuda"} / {@code "cuda:N"} are accepted as aliases).
 * {@link #toDevice(Engine)} checks the request against what the engine actually sees.
 */
public record DeviceSpec(boolean gpu, int gpuId) {
    public static final DeviceSpec CPU = new DeviceSpec(false, -1);

    public DeviceSpec {
        if (gpu && gpuId < 0) {
            throw new IllegalArgumentException("gpu id must be >= 0, got " + gpuId);
        }
        if (!gpu) {
            gpuId = -1;
        }
    }

    public static DeviceSpec gpu(int id) {
        return new DeviceSpec(true, id);
    }

    /** Parses {@code cpu}, {@code gpu}, {@code gpu:N}, {@code cuda}, {@code cuda:N} (case-insensitive). */
    public static DeviceSpec parse(String text) {
        Objects.requireNonNull(text, "device");
        String s = text.strip().toLowerCase(Locale.ROOT);
        if (s.equals("cpu")) {
            return CPU;
        }
        String rest;
        if (s.startsWith("gpu")) {
            rest = s.substring(3);
        } else if (s.startsWith("cuda")) {
            rest = s.substring(4);
        } else {
            throw new IllegalArgumentException("unknown device '" + text + "': use cpu, gpu or gpu:N");
        }
        if (rest.isEmpty()) {
            return gpu(0);
        }
        if (!rest.startsWith(":")) {
            throw new IllegalArgumentException("unknown device '" + text + "': use cpu, gpu or gpu:N");
        }
        try {
            int id = Integer.parseInt(rest.substring(1));
            if (id < 0) {
                throw new NumberFormatException();
            }
            return gpu(id);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad gpu index in device '" + text + "': use gpu:N with N >= 0");
        }
    }

    /**
     * The DJL device, after checking that {@code engine} has it.
     *
     * @throws IllegalStateException when a GPU is requested that the engine does not see
     */
    public Device toDevice(Engine engine) {
        if (!gpu) {
            return Device.cpu();
        }
        int count = engine.getGpuCount();
        if (gpuId >= count) {
            throw new IllegalStateException(this + " was requested but the " + engine.getEngineName() + " engine sees "
                    + count + " GPU(s)" + (count == 0
                            ? ": the loaded native library is CPU-only or no CUDA driver is visible (see models/README.md,"
                                    + " 'Running on a GPU host')"
                            : ": use gpu:0..gpu:" + (count - 1)));
        }
        return Device.gpu(gpuId);
    }

    @Override
    public String toString() {
        return gpu ? "gpu:" + gpuId : "cpu";
    }
}
