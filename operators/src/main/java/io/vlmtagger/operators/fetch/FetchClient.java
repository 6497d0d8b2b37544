package io.vlmtagger.operators.fetch;

import java.util.concurrent.CompletableFuture;

import io.vlmtagger.schemas.ImageEvent;

/**
 * Gets the image bytes of an event. Futures fail with a {@link FetchException} (possibly wrapped in
 * a {@code CompletionException}). {@link ImageFetcher} is the implementation; tests may provide
 * controllable ones.
 */
public interface FetchClient extends AutoCloseable {
    CompletableFuture<FetchedImage> fetch(ImageEvent event);

    @Override
    void close();
}
