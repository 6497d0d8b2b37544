package io.vlmtagger.operators.testutils;

import io.vlmtagger.models.api.ChatRequest;
import io.vlmtagger.models.api.ChatTurn;
import io.vlmtagger.models.api.ContinuousChat;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.ImageDecodeException;
import io.vlmtagger.models.api.ModelInfo;
import io.vlmtagger.models.api.PixelValues;
import io.vlmtagger.models.api.VisualChatModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A controllable {@link VisualChatModel} (see {@link FakeModel}). The answer to question {@code q}
 * about image {@code x} with {@code n} earlier turns is {@code "x: q (after n turns)"}, so tests
 * can see which history the model got. Call labels are {@code image|question|turns}.
 *
 * <p>With {@link #setContinuous(boolean)} it also offers a continuous-batching loop: each question
 * submitted there is a call of one request (completed by the test in manual mode); closing the
 * loop fails its unfinished questions with a {@link CancellationException}, as the real one does.
 */
public final class FakeChatModel extends FakeModel<ChatRequest> implements VisualChatModel {
    private volatile boolean continuous;
    private final AtomicInteger openLoops = new AtomicInteger();

    public FakeChatModel() {
        super(new ModelInfo("fake-llava", "rev-7", "cpu", "float32"));
    }

    @Override
    public PixelValues preprocess(byte[] encodedImage) throws ImageDecodeException {
        return FakeImages.decode(encodedImage, this);
    }

    @Override
    public List<GenerationResult> answer(List<ChatRequest> requests, GenerationOptions options) {
        List<String> labels = new ArrayList<>();
        for (ChatRequest r : requests) {
            labels.add(FakeImages.label(r.pixels()) + "|" + r.question() + "|" + r.history().size());
        }
        return run(requests, labels, FakeChatModel::answerOf);
    }

    /** Whether {@link #openContinuous} offers a loop (default: no, static batches only). */
    public void setContinuous(boolean continuous) {
        this.continuous = continuous;
    }

    /** Continuous loops opened and not yet closed. */
    public int openLoops() {
        return openLoops.get();
    }

    @Override
    public Optional<ContinuousChat> openContinuous(int maxRows, int queueCapacity) {
        if (!continuous) {
            return Optional.empty();
        }
        openLoops.incrementAndGet();
        Set<CompletableFuture<GenerationResult>> unfinished = ConcurrentHashMap.newKeySet();
        return Optional.of(new ContinuousChat() {
            private volatile boolean closed;

            @Override
            public CompletableFuture<GenerationResult> submit(ChatRequest r, GenerationOptions options) {
                if (closed) {
                    return CompletableFuture.failedFuture(new CancellationException("fake loop closed"));
                }
                String label = FakeImages.label(r.pixels()) + "|" + r.question() + "|" + r.history().size();
                CompletableFuture<GenerationResult> one = start(List.of(r), List.of(label), FakeChatModel::answerOf)
                        .thenApply(list -> list.get(0));
                unfinished.add(one);
                one.whenComplete((x, e) -> unfinished.remove(one));
                return one;
            }

            @Override
            public int queueDepth() {
                return unfinished.size();
            }

            @Override
            public void close() {
                closed = true;
                openLoops.decrementAndGet();
                for (CompletableFuture<GenerationResult> f : unfinished) {
                    f.completeExceptionally(new CancellationException("fake loop closed"));
                }
            }
        });
    }

    static String answerOf(String label) {
        String[] p = label.split("\\|", -1);
        return p[0] + ": " + p[1] + " (after " + p[2] + " turns)";
    }

    /** The history the model saw for request {@code i} of a call. */
    public static List<ChatTurn> historyOf(FakeModel.Call<ChatRequest> call, int i) {
        return call.requests().get(i).history();
    }

    @Override
    public int maxContextTokens() {
        return 4096;
    }

    public FakeChatModel open(String device) {
        onOpen(device);
        return this;
    }

    @Override
    public void close() {
        onClose();
    }
}
