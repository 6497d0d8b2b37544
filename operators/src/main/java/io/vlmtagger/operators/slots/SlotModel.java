package io.vlmtagger.operators.slots;

import io.vlmtagger.models.runtime.EngineThreads;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * The model handle one subtask holds: acquired in {@code open()} on the subtask's device (see
 * {@link DeviceSelector}), released in {@code close()}.
 *
 * <p>Why the DJL jars belong in Flink's {@code lib/} and not in the job jar: PyTorch's native
 * libraries ({@code libc10.so}, {@code libtorch_cpu.so}, ...) can be loaded only once per JVM,
 * and the JVM ties a loaded native library to the classloader that loaded it. Flink gives each
 * job its own child-first classloader, so the first job on a TaskManager works and the next one
 * (or a new attempt after a job-level failover with a fresh classloader) fails with {@code
 * UnsatisfiedLinkError: ... already loaded in another classloader}. With DJL in {@code lib/}
 * (job jar: scope provided) it lives in the parent classloader, loads once, and the per-JVM
 * model registry is shared by every subtask of the TaskManager, which is also what lets subtasks
 * on the same device share one copy of the weights. If the job jar must carry DJL, set {@code
 * classloader.parent-first-patterns.additional: ai.djl.} instead. MiniCluster tests do not show
 * the problem: everything is on the application classpath there.
 */
public final class SlotModel<M extends AutoCloseable> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SlotModel.class);

    private final M model;
    private final String device;
    private final long loadTimeMs;
    private final DeviceGate gate;

    private SlotModel(M model, String device, long loadTimeMs, DeviceGate gate) {
        this.model = model;
        this.device = device;
        this.loadTimeMs = loadTimeMs;
        this.gate = gate;
    }

    /**
     * Picks the subtask's device and acquires the model there, timing the load; batches run through
     * the device's shared gate of {@code deviceConcurrency} permits ({@link DeviceGates#global()}, 0:
     * no limit).
     */
    public static <M extends AutoCloseable> SlotModel<M> acquire(
            ModelProvider<M> provider, ModelSpec spec, RuntimeContext ctx, String gpuResourceName, List<String> devices,
            int deviceConcurrency) throws Exception {
        Set<org.apache.flink.api.common.externalresource.ExternalResourceInfo> gpus;
        try {
            gpus = ctx.getExternalResourceInfos(gpuResourceName);
        } catch (RuntimeException e) {
            // Test contexts may not support external resources; treat as none configured.
            gpus = Set.of();
        }
        int subtask = ctx.getTaskInfo().getIndexOfThisSubtask();
        String device = DeviceSelector.select(gpus, devices, subtask);
        configureEngineThreads(ctx.getTaskInfo().getNumberOfParallelSubtasks(), device, deviceConcurrency);
        return acquire(provider, spec, device, ctx.getTaskInfo().getTaskNameWithSubtasks(),
                DeviceGates.global().gate(device, deviceConcurrency));
    }

    /**
     * Sets PyTorch's thread split before the first model load in this JVM (later calls change
     * nothing: the engine reads it once): intra-op threads = cores / concurrent models, inter-op 1.
     * The concurrent models are taken as min(operator parallelism, cores): on one TaskManager every
     * subtask of the operator may run its model at once; more subtasks than cores still get one
     * thread each. On {@code cpu} with a device gate, at most the gate's permits run at once, so
     * each gets cores / permits. {@code -Dai.djl.pytorch.num_threads=...} set by the operator of
     * the cluster wins.
     */
    static EngineThreads.Settings configureEngineThreads(int parallelism, String device, int deviceConcurrency) {
        int concurrent = parallelism;
        if (device.equals("cpu") && deviceConcurrency > 0) {
            concurrent = Math.min(concurrent, deviceConcurrency);
        }
        return configureEngineThreads(concurrent);
    }

    static EngineThreads.Settings configureEngineThreads(int parallelism) {
        int cores = Runtime.getRuntime().availableProcessors();
        EngineThreads.Settings s = EngineThreads.configure(Math.max(1, Math.min(parallelism, cores)), cores);
        if (s.changed()) {
            LOG.info("PyTorch threads: {} intra-op, {} inter-op ({} cores, parallelism {})",
                    s.intraOpThreads(), s.interOpThreads(), cores, parallelism);
        }
        return s;
    }

    /** Acquires the model on {@code device} with no gate: every batch runs at once (few-shot, tests). */
    public static <M extends AutoCloseable> SlotModel<M> acquire(
            ModelProvider<M> provider, ModelSpec spec, String device, String owner) throws Exception {
        return acquire(provider, spec, device, owner, DeviceGate.unlimited(device));
    }

    /** Acquires the model on {@code device}; {@link #runBatch} waits for {@code gate}. */
    public static <M extends AutoCloseable> SlotModel<M> acquire(
            ModelProvider<M> provider, ModelSpec spec, String device, String owner, DeviceGate gate) throws Exception {
        long start = System.nanoTime();
        M model = provider.acquire(spec, device);
        if (model == null) {
            throw new IllegalStateException("model provider returned null for " + spec + " on " + device);
        }
        long ms = (System.nanoTime() - start) / 1_000_000L;
        LOG.info("{} acquired model {} on {} in {} ms", owner, spec.checkpointDir(), device, ms);
        return new SlotModel<>(model, device, ms, gate);
    }

    public M model() {
        return model;
    }

    public String device() {
        return device;
    }

    /** Runs one batch on the model once the device's gate lets it (see {@link DeviceGate}). */
    public <T> T runBatch(Callable<T> batch) throws Exception {
        return gate.run(batch);
    }

    public DeviceGate gate() {
        return gate;
    }

    /** Time the acquire took: the real load for the first subtask on a device, ~0 for the others. */
    public long loadTimeMs() {
        return loadTimeMs;
    }

    @Override
    public void close() throws Exception {
        model.close();
    }
}
