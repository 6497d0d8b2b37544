package io.vlmtagger.operators.stage;

import org.apache.flink.annotation.Internal;
import io.vlmtagger.operators.runtime.BatchScheduler;
import io.vlmtagger.operators.runtime.BatchSchedulerFactory;
import io.vlmtagger.operators.runtime.DeviceGates;
import io.vlmtagger.operators.runtime.DeviceSelector;
import io.vlmtagger.operators.runtime.InferenceRuntime;
import io.vlmtagger.operators.runtime.ModelLease;
import io.vlmtagger.operators.runtime.ModelProvider;
import io.vlmtagger.operators.runtime.ModelSpec;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * What every inference stage opens in its subtask, in one place: the device (Flink's GPU resource,
 * else {@code inference.devices}, else the CPU; see {@link DeviceSelector}), the engine's thread
 * split, the model lease with the device's shared gate ({@code inference.device-concurrency},
 * default by device), the stage's metrics, its scheduler, and the {@link InferenceRuntime} built
 * from the stage's handler with the job's settings. {@link #close()} releases them in reverse.
 *
 * @param <M> the model interface (e.g. {@code ImageCaptioner})
 * @param <I> the stage's input row
 * @param <O> the model's output per row
 */
@Internal
public final class StageRuntime<M extends AutoCloseable, I, O> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StageRuntime.class);

    private final ModelLease<M> lease;
    private final BatchScheduler scheduler;
    private final InferenceMetrics metrics;
    private final InferenceRuntime<I, O> runtime;

    private StageRuntime(ModelLease<M> lease, BatchScheduler scheduler, InferenceMetrics metrics,
            InferenceRuntime<I, O> runtime) {
        this.lease = lease;
        this.scheduler = scheduler;
        this.metrics = metrics;
        this.runtime = runtime;
    }

    /**
     * Opens the stage {@code stage} ("caption", "chat", "few-shot") of the subtask behind {@code ctx}.
     *
     * @param setup the stage's part: given the model, a runtime builder with its handler (and,
     *     where it has one, its continuous loop, bucketer, dedup); the rest is set here
     */
    public static <M extends AutoCloseable, I, O> StageRuntime<M, I, O> open(String stage, RuntimeContext ctx,
            ModelProvider<M> provider, ModelSpec spec, InferenceSettings settings, BatchSchedulerFactory schedulers,
            Function<M, InferenceRuntime.Builder<I, O>> setup) throws Exception {
        int subtask = ctx.getTaskInfo().getIndexOfThisSubtask();
        String device = DeviceSelector.select(assignedGpuIndices(ctx, settings.gpuResourceName()), settings.devices(),
                subtask);
        int concurrency = settings.deviceConcurrency(device);
        ModelLease.configureEngineThreads(ctx.getTaskInfo().getNumberOfParallelSubtasks(), device, concurrency);
        InferenceMetrics metrics = new InferenceMetrics(ctx.getMetricGroup());
        ModelLease<M> lease = ModelLease.acquire(provider, spec, device, ctx.getTaskInfo().getTaskNameWithSubtasks(),
                DeviceGates.perJvm().gate(device, concurrency));
        BatchScheduler scheduler = null;
        try {
            metrics.setModelLoadTimeMs(lease.loadTimeMs());
            String name = stage + "-" + device.replace(":", "") + "-" + subtask;
            scheduler = schedulers.create(name);
            InferenceRuntime<I, O> runtime = settings.configure(setup.apply(lease.model()))
                    .setName(name)
                    .optGate(lease.gate())
                    .optScheduler(scheduler)
                    .optListener(metrics)
                    .build();
            metrics.setQueueDepth(runtime::queueDepth);
            LOG.info("{} runs {} batches on {} ({} at once on the device)", name, runtime.mode(), device,
                    concurrency == 0 ? "no limit" : concurrency);
            return new StageRuntime<>(lease, scheduler, metrics, runtime);
        } catch (Exception | Error e) {
            if (scheduler != null) {
                scheduler.close();
            }
            lease.close();
            throw e;
        }
    }

    /** The {@code index} properties of the slot's GPU resources; none where the context has no resources. */
    private static List<String> assignedGpuIndices(RuntimeContext ctx, String resourceName) {
        Set<ExternalResourceInfo> gpus;
        try {
            gpus = ctx.getExternalResourceInfos(resourceName);
        } catch (RuntimeException e) {
            return List.of(); // test contexts may not support external resources
        }
        List<String> indices = new ArrayList<>();
        for (ExternalResourceInfo gpu : gpus) {
            gpu.getProperty(DeviceSelector.GPU_INDEX_PROPERTY).ifPresent(indices::add);
        }
        return indices;
    }

    public M model() {
        return lease.model();
    }

    public String device() {
        return lease.device();
    }

    public InferenceRuntime<I, O> runtime() {
        return runtime;
    }

    public InferenceMetrics metrics() {
        return metrics;
    }

    /** Closes the runtime (cancelling what is queued, waiting for the running batch), the scheduler, the lease. */
    @Override
    public void close() throws Exception {
        try {
            runtime.close();
            scheduler.close();
        } finally {
            lease.close();
        }
    }
}
