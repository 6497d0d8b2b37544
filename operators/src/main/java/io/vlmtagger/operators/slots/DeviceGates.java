package io.vlmtagger.operators.slots;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;

/**
 * One {@link DeviceGate} per device for every slot that asks for it: the subtasks of a
 * TaskManager (same class loader) that run on {@code cpu} or on {@code gpu:0} wait on the same
 * gate, like they share the weights through the models module's {@code SharedModelRegistry}.
 *
 * <p>{@link #global()} is the per-JVM (per class loader) instance, for the same reason as the
 * model registry: sharing between operator instances is the point. Tests make their own.
 * Thread-safe.
 */
public final class DeviceGates {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceGates.class);
    private static final DeviceGates GLOBAL = new DeviceGates();

    private final Map<String, DeviceGate> gates = new HashMap<>();

    public static DeviceGates global() {
        return GLOBAL;
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
