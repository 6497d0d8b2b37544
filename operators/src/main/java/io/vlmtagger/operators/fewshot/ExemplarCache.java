package io.vlmtagger.operators.fewshot;

import io.vlmtagger.models.api.ExemplarFeatures;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The prepared features of exemplar sets by version, least recently used dropped first once their
 * {@link ExemplarFeatures#sizeBytes} exceed the bound (the newest entry always stays). A version
 * changes with every update of its label set, so an entry is never stale; old versions age out.
 * Thread-safe.
 */
final class ExemplarCache {
    /** Prepares a set on a miss. */
    @FunctionalInterface
    interface Preparer {
        ExemplarFeatures prepare() throws Exception;
    }

    /** Lookups answered from the cache. */
    final AtomicLong hits = new AtomicLong();
    /** Sets prepared by the model: once per version while it stays cached. */
    final AtomicLong misses = new AtomicLong();
    /** Heap held by the cached features. */
    final AtomicLong bytes = new AtomicLong();
    private final long maxBytes;
    private final LinkedHashMap<String, ExemplarFeatures> entries = new LinkedHashMap<>(16, 0.75f, true);

    ExemplarCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The features of {@code version}, prepared by {@code preparer} if not cached. */
    ExemplarFeatures get(String version, Preparer preparer) throws Exception {
        synchronized (this) {
            ExemplarFeatures cached = entries.get(version);
            if (cached != null) {
                hits.incrementAndGet();
                return cached;
            }
            misses.incrementAndGet();
        }
        ExemplarFeatures prepared = preparer.prepare();
        synchronized (this) {
            ExemplarFeatures previous = entries.put(version, prepared);
            bytes.addAndGet(prepared.sizeBytes() - (previous == null ? 0 : previous.sizeBytes()));
            Iterator<Map.Entry<String, ExemplarFeatures>> it = entries.entrySet().iterator();
            while (bytes.get() > maxBytes && entries.size() > 1 && it.hasNext()) {
                Map.Entry<String, ExemplarFeatures> eldest = it.next();
                if (!eldest.getKey().equals(version)) {
                    bytes.addAndGet(-eldest.getValue().sizeBytes());
                    it.remove();
                }
            }
        }
        return prepared;
    }

}
