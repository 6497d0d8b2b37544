package io.vlmtagger.operators.testutils;

import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.ModelInfo;
import io.vlmtagger.models.api.Timings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** Shared machinery of the fake models: call recording, manual completion, handle counting. */
public abstract class FakeModel<R> {
    private final ModelInfo info;
    private final BlockingQueue<Call<R>> calls = new LinkedBlockingQueue<>();
    private final List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());
    private final List<String> devices = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger openHandles = new AtomicInteger();
    private final AtomicInteger preprocessed = new AtomicInteger();
    private volatile boolean manual;

    protected FakeModel(ModelInfo info) {
        this.info = info;
    }

    public ModelInfo info() {
        return info;
    }

    /** Manual mode: every model call waits for the test to complete it. */
    public void setManual(boolean manual) {
        this.manual = manual;
    }

    /** The next model call, or fails the test after {@code wait}. */
    public Call<R> nextCall(Duration wait) throws InterruptedException {
        Call<R> c = calls.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        if (c == null) {
            throw new AssertionError("no model call within " + wait.toMillis() + " ms; batches so far: " + batches);
        }
        return c;
    }

    /** Labels of every batch the model saw, in order. */
    public List<List<String>> batches() {
        synchronized (batches) {
            return List.copyOf(batches);
        }
    }

    public int openHandles() {
        return openHandles.get();
    }

    public List<String> devices() {
        synchronized (devices) {
            return List.copyOf(devices);
        }
    }

    public int preprocessed() {
        return preprocessed.get();
    }

    void onPreprocess() {
        preprocessed.incrementAndGet();
    }

    protected void onOpen(String device) {
        openHandles.incrementAndGet();
        devices.add(device);
    }

    protected void onClose() {
        openHandles.decrementAndGet();
    }

    /** Records a call and returns its result future without waiting (continuous-batching fakes). */
    protected CompletableFuture<List<GenerationResult>> start(List<R> requests, List<String> labels,
            Function<String, String> answer) {
        batches.add(List.copyOf(labels));
        Call<R> call = new Call<>(requests, labels, answer);
        calls.add(call);
        if (!manual) {
            call.complete();
        }
        return call.result;
    }

    protected List<GenerationResult> run(List<R> requests, List<String> labels, Function<String, String> answer) {
        CompletableFuture<List<GenerationResult>> result = start(requests, labels, answer);
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("fake model call interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** One model call; the test completes or fails it. */
    public static final class Call<R> {
        private final List<R> requests;
        private final List<String> labels;
        private final Function<String, String> answer;
        final CompletableFuture<List<GenerationResult>> result = new CompletableFuture<>();

        Call(List<R> requests, List<String> labels, Function<String, String> answer) {
            this.requests = requests;
            this.labels = labels;
            this.answer = answer;
        }

        public List<R> requests() {
            return requests;
        }

        public List<String> labels() {
            return labels;
        }

        /** Completes with the default answers; fails the call if a label starts with {@code poison}. */
        public void complete() {
            if (labels.stream().anyMatch(l -> l.startsWith("poison"))) {
                fail(new IllegalStateException("fake model cannot handle " + labels));
                return;
            }
            completeWith(answer);
        }

        public void completeWith(Function<String, String> texts) {
            List<GenerationResult> out = new ArrayList<>();
            Timings t = new Timings(1.0, 2.0, 3.0, 6.0);
            for (String l : labels) {
                String text = texts.apply(l);
                out.add(new GenerationResult(text, new long[] {1, 2, 3}, 10, 3, t));
            }
            result.complete(out);
        }

        public void fail(RuntimeException e) {
            result.completeExceptionally(e);
        }
    }
}
