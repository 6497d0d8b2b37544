package io.vlmtagger.operators.runtime;

import io.vlmtagger.models.api.ModelHost;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Callable;

/**
 * The model one stage instance (a Flink subtask) holds on its device: acquired when the stage
 * opens, released when it closes, with the device's shared {@link DeviceGate} that its batches go
 * through. ("Lease", not "slot": Flink's task slots are something else.)
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
public final class ModelLease<M extends AutoCloseable> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelLease.class);

    private final M model;
    private final String device;
    private final long loadTimeMs;
    private final DeviceGate gate;

    private ModelLease(M model, String device, long loadTimeMs, DeviceGate gate) {
        this.model = model;
        this.device = device;
        this.loadTimeMs = loadTimeMs;
        this.gate = gate;
    }

    /** Acquires the model on {@code device} with no gate: every batch runs at once (tests, benchmarks). */
    public static <M extends AutoCloseable> ModelLease<M> acquire(
            ModelProvider<M> provider, ModelSpec spec, String device, String owner) throws Exception {
        return acquire(provider, spec, device, owner, DeviceGate.unlimited(device));
    }

    /** Acquires the model on {@code device}, timing the load; {@link #runBatch} waits for {@code gate}. */
    public static <M extends AutoCloseable> ModelLease<M> acquire(
            ModelProvider<M> provider, ModelSpec spec, String device, String owner, DeviceGate gate) throws Exception {
        long start = System.nanoTime();
        M model = provider.acquire(spec, device);
        if (model == null) {
            throw new IllegalStateException("model provider returned null for " + spec + " on " + device);
        }
        long ms = (System.nanoTime() - start) / 1_000_000L;
        LOG.info("{} acquired model {} on {} in {} ms", owner, spec.checkpointDir(), device, ms);
        return new ModelLease<>(model, device, ms, gate);
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
    public static ModelHost.ThreadSplit configureEngineThreads(int parallelism, String device, int deviceConcurrency) {
        int concurrent = parallelism;
        if (device.equals("cpu") && deviceConcurrency > 0) {
            concurrent = Math.min(concurrent, deviceConcurrency);
        }
        return configureEngineThreads(concurrent);
    }

    static ModelHost.ThreadSplit configureEngineThreads(int parallelism) {
        int cores = Runtime.getRuntime().availableProcessors();
        ModelHost.ThreadSplit s = ModelHost.configureEngineThreads(Math.max(1, Math.min(parallelism, cores)), cores);
        if (s.changed()) {
            LOG.info("PyTorch threads: {} intra-op, {} inter-op ({} cores, parallelism {})",
                    s.intraOpThreads(), s.interOpThreads(), cores, parallelism);
        }
        return s;
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
