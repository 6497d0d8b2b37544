package io.vlmtagger.operators.fetch;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Collects a response body but cancels the transfer as soon as more than {@code maxBytes} arrived
 * (or at once when the declared Content-Length is already too large), failing with
 * {@link FetchFailure#TOO_LARGE}. Nothing past the cap is kept in memory.
 */
final class CappedBodySubscriber implements HttpResponse.BodySubscriber<byte[]> {
    private final long maxBytes;
    private final long declaredTooLarge;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    /**
     * @param maxBytes cap on the body; ignored when {@code declaredTooLarge >= 0}
     * @param declaredTooLarge a Content-Length already known to exceed the cap, or -1
     */
    CappedBodySubscriber(long maxBytes, long declaredTooLarge) {
        this.maxBytes = maxBytes;
        this.declaredTooLarge = declaredTooLarge;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        this.subscription = s;
        if (declaredTooLarge >= 0) {
            s.cancel();
            result.completeExceptionally(new FetchException(FetchFailure.TOO_LARGE,
                    "response declares " + declaredTooLarge + " bytes, above the cap"));
            return;
        }
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        if (result.isDone()) {
            return;
        }
        for (ByteBuffer b : items) {
            if (buffer.size() + (long) b.remaining() > maxBytes) {
                subscription.cancel();
                result.completeExceptionally(new FetchException(FetchFailure.TOO_LARGE,
                        "response body exceeds the cap of " + maxBytes + " bytes"));
                return;
            }
            byte[] chunk = new byte[b.remaining()];
            b.get(chunk);
            buffer.write(chunk, 0, chunk.length);
        }
    }

    @Override
    public void onError(Throwable throwable) {
        result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
        result.complete(buffer.toByteArray());
    }
}
