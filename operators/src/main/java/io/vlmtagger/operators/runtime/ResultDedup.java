package io.vlmtagger.operators.runtime;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Runs the model once per distinct request: a request identical to one in flight waits for that
 * one's result ({@code dedup_hits}), and a request identical to one answered recently gets the
 * remembered result without running the model ({@code cache_hits}). The cache is bounded (least
 * recently used entry evicted first); failures are never cached, and the requests that waited on a
 * failed one receive the same failure.
 *
 * <p>Protocol: {@link #admit} tells the caller its role. {@link Admission#LEAD}: run the model and
 * report the outcome with {@link #complete} or {@link #fail}, exactly once. {@link Admission#JOINED}:
 * {@code onResult} runs when the leader reports. {@link Admission#CACHED}: {@code onResult} already
 * ran, on the calling thread. Listeners run outside the lock, on the thread that reports.
 *
 * <p>Thread-safe; one instance per subtask (results are small, the image bytes are not kept).
 *
 * @param <K> the key, e.g. {@link DedupKey}
 * @param <V> the result, e.g. {@code GenerationResult}
 */
final class ResultDedup<K, V> {

    /** The caller's role for one request. */
    enum Admission { LEAD, JOINED, CACHED }

    private final int cacheEntries;
    private final Map<K, List<BiConsumer<V, Throwable>>> inFlight = new HashMap<>();
    private final LinkedHashMap<K, V> cache;
    private long dedupHits;
    private long cacheHits;

    /** @param cacheEntries results to remember; 0 keeps only the in-flight sharing */
    public ResultDedup(int cacheEntries) {
        if (cacheEntries < 0) {
            throw new IllegalArgumentException("cacheEntries must be >= 0 (0 = no result cache), got " + cacheEntries);
        }
        this.cacheEntries = cacheEntries;
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > ResultDedup.this.cacheEntries;
            }
        };
    }

    /** Decides the role of a request for {@code key}; see the class comment. */
    public Admission admit(K key, BiConsumer<V, Throwable> onResult) {
        V cached;
        synchronized (this) {
            cached = cache.get(key);
            if (cached == null) {
                List<BiConsumer<V, Throwable>> waiters = inFlight.get(key);
                if (waiters != null) {
                    waiters.add(onResult);
                    dedupHits++;
                    return Admission.JOINED;
                }
                inFlight.put(key, new ArrayList<>(1));
                return Admission.LEAD;
            }
            cacheHits++;
        }
        onResult.accept(cached, null);
        return Admission.CACHED;
    }

    /** The leader's result: remembered, and handed to every request that joined. */
    public void complete(K key, V value) {
        List<BiConsumer<V, Throwable>> waiters;
        synchronized (this) {
            waiters = inFlight.remove(key);
            if (cacheEntries > 0 && value != null) {
                cache.put(key, value);
            }
        }
        notify(waiters, value, null);
    }

    /** The leader failed: not remembered; every request that joined gets {@code failure}. */
    public void fail(K key, Throwable failure) {
        List<BiConsumer<V, Throwable>> waiters;
        synchronized (this) {
            waiters = inFlight.remove(key);
        }
        notify(waiters, null, failure);
    }

    private void notify(List<BiConsumer<V, Throwable>> waiters, V value, Throwable failure) {
        if (waiters == null) {
            return;
        }
        for (BiConsumer<V, Throwable> w : waiters) {
            w.accept(value, failure);
        }
    }

    /** Requests that shared a result still being computed. */
    public synchronized long dedupHits() {
        return dedupHits;
    }

    /** Requests answered from the result cache. */
    public synchronized long cacheHits() {
        return cacheHits;
    }

    /** Results remembered now. */
    public synchronized int cachedEntries() {
        return cache.size();
    }

    /** Distinct requests being computed now. */
    public synchronized int inFlight() {
        return inFlight.size();
    }
}
