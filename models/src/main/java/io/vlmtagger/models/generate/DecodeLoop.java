package io.vlmtagger.models.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * The loop thread of a {@link ContinuousBatcher}: joins, steps, completes and drops rows. Owns the
 * running {@link KvCache} (bound to the loop's long-lived manager) and the rows' host-side masks;
 * every join and step runs in a sub-manager closed before the next one.
 *
 * <p>Invariant between steps: every running row's mask is exactly {@code cache.length()} wide.
 */
final class DecodeLoop<R> {
    private static final long IDLE_POLL_MS = 50;

    private final ContinuousBatcher<R> owner;
    private final CausalDecoder decoder;
    private final Supplier<NDManager> managerFactory;
    private final List<ContinuousRow<R>> running = new ArrayList<>();
    private NDManager loopManager;
    private KvCache cache;

    DecodeLoop(ContinuousBatcher<R> owner, Supplier<NDManager> managerFactory) {
        this.owner = owner;
        this.decoder = owner.decoder();
        this.managerFactory = managerFactory;
    }

    void run() {
        Throwable died = null;
        try (NDManager manager = managerFactory.get()) {
            loopManager = manager;
            while (!owner.closed()) {
                List<ContinuousRow<R>> joiners = owner.take(owner.maxRows() - running.size(),
                        running.isEmpty() ? IDLE_POLL_MS : 0);
                if (!joiners.isEmpty()) {
                    join(joiners);
                }
                dropRows(r -> r.future.isDone()); // cancelled or timed out by the caller
                if (!running.isEmpty()) {
                    step();
                }
                owner.endIteration(running.size());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            died = t;
        } finally {
            Throwable reason = died == null ? owner.closedException()
                    : new IllegalStateException("continuous batcher " + owner.name() + " stopped: " + died, died);
            failRunning(reason);
            owner.failQueued();
            owner.endIteration(0);
        }
    }

    /** Prefills the joiners as their own batch and appends the rows still going to the running batch. */
    private void join(List<ContinuousRow<R>> joiners) {
        long start = owner.nanoTime();
        List<R> requests = new ArrayList<>(joiners.size());
        for (ContinuousRow<R> row : joiners) {
            row.joinStartNanos = start;
            requests.add(row.request);
        }
        boolean appending = false;
        try (NDManager join = loopManager.newSubManager()) {
            GenerationInput input = owner.promptBuilder().build(join, requests);
            int n = joiners.size();
            if (input.batchSize() != n) {
                throw new IllegalStateException("prompt builder returned " + input.batchSize() + " rows for " + n + " requests");
            }
            int width = input.promptLength();
            NDArray mask = input.attentionMask().getDataType() == DataType.INT64
                    ? input.attentionMask() : input.attentionMask().toType(DataType.INT64, false);
            long[] maskHost = mask.toLongArray();
            NDArray embeds = input.inputsEmbeds() != null ? input.inputsEmbeds() : decoder.embed(input.inputIds());
            try (KvCache joinCache = decoder.newCache()) {
                joinCache.moveTo(join);
                long[] first = ContinuousBatcher.argMax(decoder.forwardLast(embeds, mask, joinCache), n);
                long end = owner.nanoTime();
                List<Long> keep = new ArrayList<>();
                for (int r = 0; r < n; r++) {
                    ContinuousRow<R> row = joiners.get(r);
                    row.mask = Arrays.copyOfRange(maskHost, r * width, (r + 1) * width);
                    row.promptTokens = (int) Arrays.stream(row.mask).sum();
                    row.joinEndNanos = end;
                    if (row.promptTokens + row.maxNewTokens > decoder.maxPositions()) {
                        row.future.completeExceptionally(new IllegalArgumentException("prompt length " + row.promptTokens
                                + " + maxNewTokens " + row.maxNewTokens + " exceeds the decoder's " + decoder.maxPositions()
                                + " positions: shorten the prompt or lower maxNewTokens"));
                        continue;
                    }
                    row.add(first[r]);
                    if (finished(row)) {
                        row.complete(end);
                    } else if (!row.future.isDone()) {
                        keep.add((long) r);
                    }
                }
                if (keep.isEmpty()) {
                    return;
                }
                if (keep.size() < n) {
                    joinCache.reorder(join.create(keep.stream().mapToLong(Long::longValue).toArray()));
                }
                if (cache == null) {
                    cache = decoder.newCache();
                }
                int newWidth = Math.max((int) cache.length(), width);
                appending = true;
                cache.moveTo(join);
                try {
                    cache.appendRows(joinCache);
                } finally {
                    cache.moveTo(loopManager);
                }
                appending = false;
                for (ContinuousRow<R> row : running) {
                    row.padMaskTo(newWidth);
                }
                for (long r : keep) {
                    ContinuousRow<R> row = joiners.get((int) r);
                    row.padMaskTo(newWidth);
                    running.add(row);
                }
            }
        } catch (RuntimeException e) {
            for (ContinuousRow<R> row : joiners) {
                row.future.completeExceptionally(e);
            }
            if (appending) { // the running cache may be half-appended: start over
                failRunning(e);
            }
        }
    }

    /** One decode step for every running row. */
    private void step() {
        int rows = running.size();
        int width = (int) cache.length() + 1;
        long[] tokens = new long[rows];
        long[] mask = new long[rows * width];
        for (int i = 0; i < rows; i++) {
            ContinuousRow<R> row = running.get(i);
            tokens[i] = row.last();
            System.arraycopy(row.mask, 0, mask, i * width, width - 1);
            mask[i * width + width - 1] = 1;
        }
        long[] next;
        try (NDManager step = loopManager.newSubManager()) {
            cache.moveTo(step); // temporaries made from cached arrays die with the step
            try {
                NDArray embeds = decoder.embed(step.create(tokens, new Shape(rows, 1)));
                next = ContinuousBatcher.argMax(decoder.forwardLast(embeds, step.create(mask, new Shape(rows, width)), cache), rows);
            } finally {
                cache.moveTo(loopManager);
            }
        } catch (RuntimeException e) {
            failRunning(e);
            return;
        }
        long now = owner.nanoTime();
        for (int i = 0; i < rows; i++) {
            ContinuousRow<R> row = running.get(i);
            row.mask = Arrays.copyOfRange(mask, i * width, (i + 1) * width);
            row.add(next[i]);
            if (finished(row)) {
                row.complete(now);
            }
        }
        dropRows(r -> r.future.isDone());
    }

    private boolean finished(ContinuousRow<R> row) {
        return owner.isEos(row.last()) || row.generated() >= row.maxNewTokens;
    }

    /** Drops matching rows from the batch and the cache, then the columns now padding in every row. */
    private void dropRows(java.util.function.Predicate<ContinuousRow<R>> drop) {
        List<Long> keep = new ArrayList<>();
        for (int i = 0; i < running.size(); i++) {
            if (!drop.test(running.get(i))) {
                keep.add((long) i);
            }
        }
        if (keep.size() == running.size()) {
            return;
        }
        List<ContinuousRow<R>> kept = new ArrayList<>(keep.size());
        for (long i : keep) {
            kept.add(running.get((int) i));
        }
        running.clear();
        running.addAll(kept);
        if (running.isEmpty()) {
            closeCache();
            return;
        }
        int padding = Integer.MAX_VALUE;
        for (ContinuousRow<R> row : running) {
            padding = Math.min(padding, row.leadingPadding());
        }
        try (NDManager scratch = loopManager.newSubManager()) {
            cache.moveTo(scratch);
            try {
                cache.reorder(scratch.create(keep.stream().mapToLong(Long::longValue).toArray()));
                cache.dropLeadingPositions(padding);
            } finally {
                cache.moveTo(loopManager);
            }
        }
        if (padding > 0) {
            for (ContinuousRow<R> row : running) {
                row.mask = Arrays.copyOfRange(row.mask, padding, row.mask.length);
            }
        }
    }

    private void failRunning(Throwable reason) {
        for (ContinuousRow<R> row : running) {
            row.future.completeExceptionally(reason);
        }
        running.clear();
        closeCache();
    }

    private void closeCache() {
        if (cache != null) {
            cache.close();
            cache = null;
        }
    }
}
