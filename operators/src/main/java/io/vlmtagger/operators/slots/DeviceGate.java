package io.vlmtagger.operators.slots;

import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;

/**
 * Lets at most {@link #permits()} model batches run at once on one device, whichever slot (subtask)
 * or model submits them; the others wait their turn in arrival order. The slots of a TaskManager
 * that share a device share one gate (see {@link DeviceGates}).
 *
 * <p>Why: slots on one device share the weights but not the activations, so two batches running
 * at once need two sets of activations (issue 7, P5: 1.27x the memory of one). On a CPU the two
 * batches also compete for the same cores, so running them one after the other costs no
 * throughput; on a GPU it trades the overlap of two batches for memory, and {@code
 * inference.device-concurrency} raises the limit. A waiting slot keeps collecting requests, so its
 * next batch is fuller.
 */
public final class DeviceGate {
    private final String device;
    private final int permits;
    private final Semaphore semaphore;

    /** @param permits batches at once; 0 means no limit */
    DeviceGate(String device, int permits) {
        if (permits < 0) {
            throw new IllegalArgumentException("device concurrency must be >= 0 (0 = no limit), got " + permits);
        }
        this.device = device;
        this.permits = permits;
        this.semaphore = permits == 0 ? null : new Semaphore(permits, true);
    }

    /** A gate that lets every batch through at once. */
    public static DeviceGate unlimited(String device) {
        return new DeviceGate(device, 0);
    }

    /** Runs {@code batch} once a permit is free, releasing it when the batch returns or throws. */
    public <T> T run(Callable<T> batch) throws Exception {
        if (semaphore == null) {
            return batch.call();
        }
        semaphore.acquire();
        try {
            return batch.call();
        } finally {
            semaphore.release();
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
