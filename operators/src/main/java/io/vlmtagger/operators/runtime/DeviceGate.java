package io.vlmtagger.operators.runtime;

import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The queue in front of one device: runs at most {@link #permits()} model batches at once,
 * whichever slot (subtask) or model submits them, on the device's own {@code permits} threads,
 * in arrival order; a caller waits for its batch's result. The slots of a TaskManager that share
 * a device share one gate (see {@link DeviceGates}).
 *
 * <p>Why: slots on one device share the weights but not the activations, so two batches running
 * at once need two sets of activations (issue 7, P5). Running them one after the other is not
 * enough on a CPU: each slot's model thread would allocate its activations from its own malloc
 * arena, and memory freed in one arena is not reused by the other thread, so the process still
 * grows by a second set. On the device's thread every batch reuses the same arena. On a CPU the
 * two batches competed for the same cores anyway, so this costs no throughput; on a GPU it trades
 * the overlap of two batches for memory, and {@code inference.device-concurrency} raises the
 * limit. A waiting slot keeps collecting requests, so its next batch is fuller. Idle device
 * threads end after a minute.
 */
public final class DeviceGate {
    private static final long IDLE_SECONDS = 60;

    /**
     * Batches at once on a GPU when nothing else is configured: overhead-bound generation leaves a
     * GPU idle between kernels, and 2-4 concurrent batches on one H200 ran 1.4-2.0x faster than
     * one (issue 15). The weights are shared; each running batch adds its activations.
     */
    public static final int DEFAULT_GPU_PERMITS = 4;

    private final String device;
    private final int permits;
    private final ThreadPoolExecutor threads;

    /** @param permits batches at once; 0 means no limit (batches run on the caller's thread) */
    DeviceGate(String device, int permits) {
        if (permits < 0) {
            throw new IllegalArgumentException("device concurrency must be >= 0 (0 = no limit), got " + permits);
        }
        this.device = device;
        this.permits = permits;
        if (permits == 0) {
            this.threads = null;
        } else {
            this.threads = new ThreadPoolExecutor(permits, permits, IDLE_SECONDS, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), DaemonThreads.numbered("device-" + device.replace(":", "") + "-"));
            this.threads.allowCoreThreadTimeOut(true);
        }
    }

    /**
     * The permits of a device when nothing is configured: 1 on the CPU (concurrent batches would
     * compete for the same cores and each hold its own activations), {@link #DEFAULT_GPU_PERMITS}
     * on a GPU.
     */
    public static int defaultPermits(String device) {
        return device.startsWith("gpu") ? DEFAULT_GPU_PERMITS : 1;
    }

    /** A gate that lets every batch through at once, on its caller's thread. */
    public static DeviceGate unlimited(String device) {
        return new DeviceGate(device, 0);
    }

    /**
     * Runs {@code batch} on the device's thread once it is free and returns its result; what the
     * batch throws is rethrown as is. Interrupting the caller (a slot closing) cancels its batch:
     * dropped if it has not started, else the device thread is interrupted, as the slot's own
     * thread was when batches ran there, so that one slot's stuck batch does not hold the device
     * for the others.
     */
    public <T> T run(Callable<T> batch) throws Exception {
        if (threads == null) {
            return batch.call();
        }
        Future<T> result = threads.submit(batch);
        try {
            return result.get();
        } catch (InterruptedException e) {
            result.cancel(true);
            throw e;
        } catch (CancellationException e) {
            throw new InterruptedException("batch on " + device + " was cancelled");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    public String device() {
        return device;
    }

    /** Batches allowed at once; 0: no limit. */
    public int permits() {
        return permits;
    }

    @Override
    public String toString() {
        return "DeviceGate[" + device + ", " + (permits == 0 ? "no limit" : permits + " at once") + "]";
    }
}
