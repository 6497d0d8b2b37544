package io.vlmtagger.operators.runtime;

import io.vlmtagger.models.api.ModelHost;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;

/**
 * One {@link DeviceGate} per device for every slot that asks for it: the subtasks of a
 * TaskManager (same class loader) that run on {@code cpu} or on {@code gpu:0} wait on the same
 * gate, as they share the weights of their models.
 *
 * <p>{@link #perJvm()} is the instance kept next to the loaded models by the models module's
 * per-JVM registry ({@link ModelHost#shared}), so that the weights and the gates have one owner
 * and this class holds no static state of its own. Tests make their own. Thread-safe.
 */
public final class DeviceGates {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceGates.class);

    private final Map<String, DeviceGate> gates = new HashMap<>();

    /** The gates of this JVM (of the class loader that loaded the models module). */
    public static DeviceGates perJvm() {
        return ModelHost.shared(DeviceGates.class.getName(), DeviceGates.class, DeviceGates::new);
    }

    /**
     * The shared gate of {@code device}, created with {@code concurrency} permits by the first
     * caller; 0 gives an ungated handle of its own. A later caller asking for another limit gets
     * the existing gate (one device, one limit) and a warning.
     */
    public synchronized DeviceGate gate(String device, int concurrency) {
        if (concurrency == 0) {
            return DeviceGate.unlimited(device);
        }
        DeviceGate gate = gates.computeIfAbsent(device, d -> new DeviceGate(d, concurrency));
        if (gate.permits() != concurrency) {
            LOG.warn("{} already exists; a slot asked for {} batches at once on {}, the first limit stays",
                    gate, concurrency, device);
        }
        return gate;
    }
}
