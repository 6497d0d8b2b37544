package io.vlmtagger.models.kernels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.generate.CausalDecoder;
import io.vlmtagger.models.generate.DeviceGreedy;
import io.vlmtagger.models.generate.KvCache;
import io.vlmtagger.models.nn.LayerKvCache;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A language model whose forward pass is one kernel call ({@code lm_*} methods of its source, see
 * {@code common.ts}): the {@link CausalDecoder} of OPT (BLIP-2) and Llama (LLaVA), and their
 * {@link DeviceGreedy} loop on a cache preallocated for the whole generation.
 *
 * <p>Holds only weights (a {@link TensorList} over the model's arrays); every per-call array lives
 * in the manager of the call's inputs. Thread-safe.
 */
public class KernelDecoder implements CausalDecoder, DeviceGreedy, AutoCloseable {
    private final Kernels kernels;
    private final TensorList weights;
    private final long[] cfg;
    private final double[] fcfg;
    private final Geometry geometry;
    private final TensorList noCache;

    /** The shapes a decoder's caches and outputs take. */
    public record Geometry(int layers, int kvHeads, int headDim, int vocabSize, int maxPositions, DataType dataType) {}

    /**
     * @param kernels the decoder's own module (closed with the decoder): {@code common.ts} and the
     *     architecture's source
     * @param weights the source's weight list, in the order its header documents
     * @param cfg its integer settings, {@code fcfg} its float settings (same header)
     * @param manager the model's manager (for the empty cache lists; freed with it)
     */
    public KernelDecoder(Kernels kernels, List<NDArray> weights, long[] cfg, double[] fcfg, Geometry geometry,
            NDManager manager) {
        this.kernels = kernels;
        this.weights = kernels.list(weights);
        this.cfg = cfg.clone();
        this.fcfg = fcfg.clone();
        this.geometry = geometry;
        this.noCache = CacheArgs.noCache(kernels, geometry.layers(), geometry.dataType(), manager);
    }

    @Override
    public NDArray embed(NDArray inputIds) {
        return kernels.call("lm_embed").tensor(inputIds).list(weights).ints(cfg).run(inputIds.getManager());
    }

    @Override
    public NDArray forward(NDArray inputsEmbeds, NDArray attentionMask, KvCache cache) {
        return run("forward_all", inputsEmbeds, attentionMask, cache);
    }

    @Override
    public NDArray forwardLast(NDArray inputsEmbeds, NDArray attentionMask, KvCache cache) {
        return run("forward_last", inputsEmbeds, attentionMask, cache);
    }

    /** Runs a forward method with the cache lists and the mode, and puts the returned caches back. */
    private NDArray run(String method, NDArray inputsEmbeds, NDArray attentionMask, KvCache cache) {
        LayerKvCache c = checked(cache);
        NDManager out = inputsEmbeds.getManager();
        KernelCall call = kernels.call(method).tensor(inputsEmbeds).tensor(CacheArgs.mask(inputsEmbeds, attentionMask, c))
                .list(weights).ints(cfg).floats(fcfg);
        try (CacheArgs caches = new CacheArgs(c, noCache, geometry.layers(), geometry.dataType(), out)) {
            caches.addTo(call);
            List<NDList> result = call.runTuple(out);
            caches.store(result.get(1), result.get(2));
            return result.get(0).singletonOrThrow();
        }
    }

    private static LayerKvCache checked(KvCache cache) {
        if (cache != null && !(cache instanceof LayerKvCache)) {
            throw new IllegalArgumentException("this decoder needs the cache from its newCache(), got "
                    + cache.getClass().getName());
        }
        return (LayerKvCache) cache;
    }

    @Override
    public KvCache newCache() {
        return new LayerKvCache(geometry.layers());
    }

    @Override
    public int vocabSize() {
        return geometry.vocabSize();
    }

    @Override
    public int maxPositions() {
        return geometry.maxPositions();
    }

    @Override
    public Session startGreedy(NDArray inputsEmbeds, NDArray attentionMask, Settings settings, long[][] context) {
        return new GreedySession(inputsEmbeds, CacheArgs.int64(attentionMask), settings, context);
    }

    @Override
    public void close() {
        weights.close();
        noCache.close();
        kernels.close();
    }

    /** The static cache and the device-side state of one greedy generation. */
    private final class GreedySession implements Session {
        private final NDManager manager;
        private final TensorList keyCache;
        private final TensorList valueCache;
        private final NDArray generated; // [B, maxNew] int64
        private final NDArray finished; // [B] bool
        private final NDArray seen; // [B, V] bool, or [0] when no repetition penalty
        private final NDArray eos; // [E] int64
        private final NDArray keyMask; // [B, 1, 1, L] additive
        private final NDArray positionBase; // [B, 1] int64
        private final Settings settings;
        private final int promptLength;
        private NDArray last; // [B, 1] int64, the ids picked by the last step
        private int steps;

        GreedySession(NDArray embeds, NDArray mask, Settings s, long[][] context) {
            this.settings = s;
            long b = embeds.getShape().get(0);
            this.promptLength = (int) embeds.getShape().get(1);
            this.manager = embeds.getManager().newSubManager();
            boolean ok = false;
            try {
                long length = (long) promptLength + Math.max(s.maxNewTokens() - 1, 1);
                Shape cacheShape = new Shape(b, geometry.kvHeads(), length, geometry.headDim());
                List<NDArray> ks = new ArrayList<>(geometry.layers());
                List<NDArray> vs = new ArrayList<>(geometry.layers());
                for (int i = 0; i < geometry.layers(); i++) {
                    ks.add(manager.create(cacheShape, geometry.dataType()));
                    vs.add(manager.create(cacheShape, geometry.dataType()));
                }
                this.keyCache = kernels.list(ks);
                this.valueCache = kernels.list(vs);
                this.generated = manager.zeros(new Shape(b, s.maxNewTokens()), DataType.INT64);
                this.finished = manager.zeros(new Shape(b), DataType.BOOLEAN);
                this.seen = s.repetitionPenalty() == 1.0f ? manager.create(new Shape(0), DataType.BOOLEAN)
                        : seenMask(b, context);
                this.eos = manager.create(s.eosTokenIds());
                List<NDList> first = kernels.call("greedy_prefill").tensor(embeds).tensor(mask).list(weights)
                        .ints(cfg).floats(fcfg).list(keyCache).list(valueCache).tensor(generated).tensor(finished)
                        .tensor(seen).f(s.repetitionPenalty()).i(s.minNewTokens()).tensor(eos).i(s.padTokenId())
                        .runTuple(manager);
                this.last = first.get(0).singletonOrThrow();
                this.keyMask = first.get(1).singletonOrThrow();
                this.positionBase = first.get(2).singletonOrThrow();
                this.steps = 1;
                ok = true;
            } finally {
                if (!ok) {
                    manager.close();
                }
            }
        }

        /** {@code [B, V]} true at each row's context tokens (the repetition penalty's "input ids"). */
        private NDArray seenMask(long b, long[][] context) {
            int v = geometry.vocabSize();
            boolean[] host = new boolean[(int) (b * v)];
            for (int r = 0; context != null && r < b && r < context.length; r++) {
                for (long id : context[r]) {
                    if (id >= 0 && id < v) {
                        host[(int) (r * v + id)] = true;
                    }
                }
            }
            return manager.create(host, new Shape(b, v));
        }

        @Override
        public void step() {
            if (steps >= settings.maxNewTokens()) {
                throw new IllegalStateException("all " + steps + " tokens are picked already");
            }
            NDArray next = kernels.call("greedy_step").tensor(last).i(steps).i(promptLength).tensor(keyMask)
                    .tensor(positionBase).list(weights).ints(cfg).floats(fcfg).list(keyCache).list(valueCache)
                    .tensor(generated).tensor(finished).tensor(seen).f(settings.repetitionPenalty())
                    .i(settings.minNewTokens()).tensor(eos).i(settings.padTokenId()).run(manager);
            last.close();
            last = next;
            steps++;
        }

        @Override
        public int steps() {
            return steps;
        }

        @Override
        public boolean allFinished() {
            boolean[] f = finished.toBooleanArray();
            for (boolean x : f) {
                if (!x) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public long[][] tokens() {
            long[] flat = generated.toLongArray();
            int width = settings.maxNewTokens();
            int rows = flat.length / width;
            long[][] out = new long[rows][];
            for (int r = 0; r < rows; r++) {
                out[r] = Arrays.copyOfRange(flat, r * width, r * width + steps);
            }
            return out;
        }

        @Override
        public void close() {
            keyCache.close();
            valueCache.close();
            manager.close();
        }
    }
}
