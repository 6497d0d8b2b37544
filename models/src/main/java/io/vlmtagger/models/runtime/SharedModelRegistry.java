package io.vlmtagger.models.runtime;

import io.vlmtagger.models.api.CheckpointException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loaded models shared by reference count: every operator subtask in a TaskManager that asks for
 * the same {@link ModelKey} gets the same weights (a 7B model is loaded once, not once per slot).
 *
 * <p>{@link #acquire} returns a {@link Lease}; the last lease's {@code close()} closes the model
 * (freeing its native weights). Concurrent acquires of one key run the loader once; the others
 * wait for it. A failed load is not cached: every waiter gets the error (a {@link
 * CheckpointException} naming the key) and the next acquire tries again.
 *
 * <p>{@link #global()} is the per-JVM instance: sharing across the operator instances of a JVM is
 * the point of this class, so it is the one static singleton we keep. What callers must share per
 * JVM next to the models (the operators' device gates) hangs off it too ({@link #shared}), so that
 * there is one such owner, not one per concern. Tests make their own. Thread-safe.
 */
public final class SharedModelRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(SharedModelRegistry.class);
    private static final SharedModelRegistry GLOBAL = new SharedModelRegistry();

    /** Loads a model; called at most once per key while any lease on it is open. */
    @FunctionalInterface
    public interface Loader<T extends AutoCloseable> {
        T load(ModelKey key) throws Exception;
    }

    private final Map<ModelKey, Entry> entries = new HashMap<>();
    private final Map<String, Object> shared = new HashMap<>();

    /** The per-JVM registry (one per class loader that loads this class). */
    public static SharedModelRegistry global() {
        return GLOBAL;
    }

    /**
     * The model for {@code key}, loading it with {@code loader} if no lease holds it.
     *
     * @throws CheckpointException when the load fails (the cause attached)
     */
    public <T extends AutoCloseable> Lease<T> acquire(ModelKey key, Loader<T> loader) {
        Entry entry;
        boolean mustLoad = false;
        synchronized (this) {
            entry = entries.get(key);
            if (entry == null) {
                entry = new Entry();
                entries.put(key, entry);
                mustLoad = true;
            }
            entry.refs++;
        }
        if (mustLoad) {
            long start = System.nanoTime();
            try {
                AutoCloseable model = loader.load(key);
                if (model == null) {
                    throw new IllegalStateException("loader returned null");
                }
                LOG.info("Loaded model {} in {} ms", key, (System.nanoTime() - start) / 1_000_000);
                entry.model.complete(model);
            } catch (Throwable t) {
                entry.model.completeExceptionally(t);
            }
        }
        AutoCloseable model;
        try {
            model = entry.model.get();
        } catch (InterruptedException e) {
            release(key, entry);
            Thread.currentThread().interrupt();
            throw new CheckpointException("interrupted while waiting for model " + key + " to load", e);
        } catch (ExecutionException e) {
            release(key, entry);
            Throwable cause = e.getCause();
            if (cause instanceof Error err && !(cause instanceof LinkageError)) {
                throw err;
            }
            if (cause instanceof CheckpointException ce && ce.getMessage() != null
                    && ce.getMessage().contains(key.checkpoint().toString())) {
                throw ce;
            }
            throw new CheckpointException("cannot load model " + key + ": " + cause, cause);
        }
        @SuppressWarnings("unchecked")
        T typed = (T) model;
        return new Lease<>(this, key, entry, typed);
    }

    /**
     * The object kept under {@code key} for as long as this registry lives, created by {@code
     * factory} on first use (under the registry's lock: keep it cheap). For per-JVM state of the
     * registry's callers, e.g. one device gate per device shared by every slot of a TaskManager.
     *
     * @throws IllegalStateException when {@code key} holds an object of another type
     */
    public synchronized <T> T shared(String key, Class<T> type, Supplier<T> factory) {
        Object value = shared.computeIfAbsent(key, k -> Objects.requireNonNull(factory.get(),
                "factory of shared object " + k + " returned null"));
        if (!type.isInstance(value)) {
            throw new IllegalStateException("shared object " + key + " is a " + value.getClass().getName()
                    + ", not a " + type.getName() + ": two callers use one key for different things");
        }
        return type.cast(value);
    }

    /** Number of keys currently loaded or loading. */
    public synchronized int size() {
        return entries.size();
    }

    /** Open leases on {@code key} (0 when not loaded). */
    public synchronized int refCount(ModelKey key) {
        Entry e = entries.get(key);
        return e == null ? 0 : e.refs;
    }

    private void release(ModelKey key, Entry entry) {
        AutoCloseable toClose = null;
        synchronized (this) {
            entry.refs--;
            if (entry.refs == 0) {
                if (entries.get(key) == entry) {
                    entries.remove(key);
                }
                toClose = entry.model.isCompletedExceptionally() ? null : entry.model.getNow(null);
            } else if (entry.model.isCompletedExceptionally() && entries.get(key) == entry) {
                entries.remove(key); // failed loads are not cached, even while waiters still unwind
            }
        }
        if (toClose != null) {
            try {
                toClose.close();
                LOG.info("Closed model {} (last lease released)", key);
            } catch (Exception e) {
                LOG.warn("Closing model {} failed", key, e);
            }
        }
    }

    private static final class Entry {
        final CompletableFuture<AutoCloseable> model = new CompletableFuture<>();
        int refs;
    }

    /** A hold on a shared model; {@link #close()} once (later calls do nothing). */
    public static final class Lease<T extends AutoCloseable> implements AutoCloseable {
        private final SharedModelRegistry registry;
        private final ModelKey key;
        private final Entry entry;
        private final T model;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Lease(SharedModelRegistry registry, ModelKey key, Entry entry, T model) {
            this.registry = registry;
            this.key = key;
            this.entry = entry;
            this.model = model;
        }

        /** The shared model. Do not close it yourself: close the lease. */
        public T get() {
            if (closed.get()) {
                throw new IllegalStateException("lease on " + key + " is closed");
            }
            return model;
        }

        public ModelKey key() {
            return key;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                registry.release(key, entry);
            }
        }
    }
}
