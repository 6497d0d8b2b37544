package io.vlmtagger.operators.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.vlmtagger.operators.runtime.DaemonThreads;
import io.vlmtagger.operators.deadletter.Redaction;
import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.ImageRef;
import io.vlmtagger.schemas.InlineImage;

/**
 * Fetches image bytes for an event, knowing nothing of Flink:
 * <ul>
 *   <li>inline images: the bytes themselves (still subject to the size cap);</li>
 *   <li>{@code file://}: only under an allowed root; the path is normalised and resolved with
 *       symlinks followed, so neither {@code ..} nor a link can leave the root;</li>
 *   <li>{@code http(s)://}: only allowed schemes and hosts, via {@link HttpClient} with a connect
 *       timeout, a whole-exchange timeout, a byte cap enforced while reading (the transfer is
 *       cancelled past the cap), and redirects followed by hand only to allowed hosts.</li>
 * </ul>
 * When the event's {@code ImageRef} carries a sha256, the bytes are verified. Failures are
 * {@link FetchException}s with a {@link FetchFailure}; URIs in messages are redacted.
 *
 * <p>Thread-safe; one per operator instance. {@link #close()} stops the file-read threads.
 */
public final class ImageFetcher implements FetchClient {
    private final FetcherOptions options;
    private final List<Path> roots;
    private final ExecutorService executor;
    private final ExecutorService httpExecutor;
    private final HttpClient http;

    public ImageFetcher(FetcherOptions options) {
        this.options = options;
        this.roots = new ArrayList<>();
        for (Path root : options.allowedRoots()) {
            try {
                roots.add(root.toRealPath());
            } catch (IOException e) {
                // a missing root allows nothing; keep the normalised path so that error messages stay clear
                roots.add(root.toAbsolutePath().normalize());
            }
        }
        this.executor = Executors.newFixedThreadPool(options.fileReadThreads(), DaemonThreads.numbered("image-fetcher-file-"));
        // HTTP gets its own threads so that slow disks cannot starve it (and close() can stop them)
        this.httpExecutor = Executors.newCachedThreadPool(DaemonThreads.numbered("image-fetcher-http-"));
        this.http = HttpClient.newBuilder()
                .connectTimeout(options.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(httpExecutor)
                .build();
    }

    @Override
    public CompletableFuture<FetchedImage> fetch(ImageEvent event) {
        return fetch(event.getImage());
    }

    /** Fetches an {@link InlineImage} or {@link ImageRef} (the union branch of {@code ImageEvent.image}). */
    public CompletableFuture<FetchedImage> fetch(Object image) {
        try {
            if (image instanceof InlineImage) {
                return CompletableFuture.completedFuture(inline((InlineImage) image));
            }
            if (image instanceof ImageRef) {
                ImageRef ref = (ImageRef) image;
                return fetchUri(ref.getUri()).thenApply(img -> verify(img, ref.getSha256()));
            }
            throw new FetchException(FetchFailure.INVALID_URI, "event has no image");
        } catch (FetchException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private FetchedImage inline(InlineImage inline) throws FetchException {
        ByteBuffer data = inline.getData().duplicate();
        if (data.remaining() > options.maxBytes()) {
            throw new FetchException(FetchFailure.TOO_LARGE, "inline image of " + data.remaining()
                    + " bytes exceeds the cap of " + options.maxBytes());
        }
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        return new FetchedImage(bytes, sha256(bytes), inline.getContentType(), "inline");
    }

    private CompletableFuture<FetchedImage> fetchUri(String text) throws FetchException {
        URI uri = parse(text);
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!FetcherOptions.SUPPORTED_SCHEMES.contains(scheme)) {
            throw new FetchException(FetchFailure.UNSUPPORTED_SCHEME, "scheme '" + scheme + "' is not supported: "
                    + Redaction.uri(text));
        }
        if (!options.allowedSchemes().contains(scheme)) {
            throw new FetchException(FetchFailure.DENIED, "scheme '" + scheme + "' is not allowed: "
                    + Redaction.uri(text));
        }
        if (scheme.equals("file")) {
            Path path = allowedFile(uri);
            return CompletableFuture.supplyAsync(() -> readFile(path, uri), executor)
                    .orTimeout(options.readTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    .exceptionallyCompose(e -> CompletableFuture.failedFuture(classify(e, uri)));
        }
        checkHost(uri);
        CompletableFuture<FetchedImage> result = new CompletableFuture<>();
        get(uri, 0, result);
        return result.orTimeout(options.readTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(classify(e, uri)));
    }

    private static URI parse(String text) throws FetchException {
        try {
            URI uri = new URI(text);
            if (uri.getScheme() == null) {
                throw new FetchException(FetchFailure.INVALID_URI, "URI has no scheme: " + Redaction.uri(text));
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new FetchException(FetchFailure.INVALID_URI, "URI does not parse: " + Redaction.uri(text));
        }
    }

    // ---- file://

    private Path allowedFile(URI uri) throws FetchException {
        String shown = Redaction.uri(uri.toString());
        if (uri.getRawAuthority() != null && !uri.getRawAuthority().equalsIgnoreCase("localhost")) {
            throw new FetchException(FetchFailure.DENIED, "file URIs must be local (no host): " + shown);
        }
        Path requested;
        try {
            requested = Path.of(uri.getPath()).toAbsolutePath().normalize();
        } catch (InvalidPathException | NullPointerException e) {
            throw new FetchException(FetchFailure.INVALID_URI, "not a file path: " + shown);
        }
        if (roots.stream().noneMatch(requested::startsWith)) {
            throw new FetchException(FetchFailure.DENIED, "path is outside the allowed roots: " + shown);
        }
        if (!Files.exists(requested, LinkOption.NOFOLLOW_LINKS) && !Files.exists(requested)) {
            throw new FetchException(FetchFailure.NOT_FOUND, "no such file: " + shown);
        }
        Path real;
        try {
            real = requested.toRealPath();
        } catch (NoSuchFileException e) {
            // a dangling symlink
            throw new FetchException(FetchFailure.NOT_FOUND, "no such file: " + shown);
        } catch (IOException e) {
            throw new FetchException(FetchFailure.IO_ERROR, "cannot resolve " + shown + ": " + e.getMessage());
        }
        if (roots.stream().noneMatch(real::startsWith)) {
            throw new FetchException(FetchFailure.DENIED, "path resolves (through a link) outside the allowed roots: "
                    + shown);
        }
        if (!Files.isRegularFile(real)) {
            throw new FetchException(FetchFailure.NOT_FOUND, "not a regular file: " + shown);
        }
        return real;
    }

    private FetchedImage readFile(Path path, URI uri) {
        String shown = Redaction.uri(uri.toString());
        try {
            long size = Files.size(path);
            if (size > options.maxBytes()) {
                throw new FetchException(FetchFailure.TOO_LARGE, "file of " + size + " bytes exceeds the cap of "
                        + options.maxBytes() + ": " + shown);
            }
            byte[] bytes;
            try (InputStream in = Files.newInputStream(path)) {
                bytes = in.readNBytes((int) options.maxBytes() + 1);
            }
            if (bytes.length > options.maxBytes()) {
                throw new FetchException(FetchFailure.TOO_LARGE, "file grew past the cap of " + options.maxBytes()
                        + " bytes while reading: " + shown);
            }
            return new FetchedImage(bytes, sha256(bytes), null, shown);
        } catch (FetchException e) {
            throw new java.util.concurrent.CompletionException(e);
        } catch (NoSuchFileException e) {
            throw new java.util.concurrent.CompletionException(
                    new FetchException(FetchFailure.NOT_FOUND, "no such file: " + shown));
        } catch (IOException e) {
            throw new java.util.concurrent.CompletionException(
                    new FetchException(FetchFailure.IO_ERROR, "cannot read " + shown + ": " + e.getMessage()));
        }
    }

    // ---- http(s)://

    private void checkHost(URI uri) throws FetchException {
        String shown = Redaction.uri(uri.toString());
        if (uri.getRawUserInfo() != null) {
            throw new FetchException(FetchFailure.DENIED, "credentials in URIs are not supported: " + shown);
        }
        if (uri.getHost() == null) {
            throw new FetchException(FetchFailure.INVALID_URI, "URI has no host: " + shown);
        }
        if (!options.isHostAllowed(uri.getHost())) {
            throw new FetchException(FetchFailure.DENIED, "host '" + uri.getHost() + "' is not allowed: " + shown);
        }
    }

    private void get(URI uri, int redirects, CompletableFuture<FetchedImage> result) {
        HttpRequest request = HttpRequest.newBuilder(uri).GET().timeout(options.readTimeout())
                .header("Accept", "image/*").build();
        CompletableFuture<HttpResponse<byte[]>> inFlight = http.sendAsync(request, this::bodyHandler);
        // when the caller gives up (timeout, cancel), stop the transfer
        result.whenComplete((ok, error) -> inFlight.cancel(true));
        inFlight.whenComplete((response, error) -> {
            if (error != null) {
                result.completeExceptionally(classify(error, uri));
                return;
            }
            try {
                handle(uri, redirects, response, result);
            } catch (FetchException e) {
                result.completeExceptionally(e);
            }
        });
    }

    private HttpResponse.BodySubscriber<byte[]> bodyHandler(HttpResponse.ResponseInfo info) {
        if (info.statusCode() / 100 != 2) {
            return HttpResponse.BodySubscribers.replacing(null);
        }
        long declared = info.headers().firstValueAsLong("Content-Length").orElse(-1L);
        if (declared > options.maxBytes()) {
            return new CappedBodySubscriber(-1, declared);
        }
        return new CappedBodySubscriber(options.maxBytes(), -1);
    }

    private void handle(URI uri, int redirects, HttpResponse<byte[]> response, CompletableFuture<FetchedImage> result)
            throws FetchException {
        String shown = Redaction.uri(uri.toString());
        int status = response.statusCode();
        if (status / 100 == 2) {
            byte[] bytes = response.body();
            String contentType = response.headers().firstValue("Content-Type").orElse(null);
            result.complete(new FetchedImage(bytes, sha256(bytes), contentType, shown));
        } else if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
            if (redirects >= options.maxRedirects()) {
                throw new FetchException(FetchFailure.HTTP_STATUS, "more than " + options.maxRedirects()
                        + " redirects, last from " + shown);
            }
            String location = response.headers().firstValue("Location").orElseThrow(() -> new FetchException(
                    FetchFailure.HTTP_STATUS, "HTTP " + status + " without Location from " + shown));
            URI next;
            try {
                next = uri.resolve(new URI(location));
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw new FetchException(FetchFailure.INVALID_URI, "redirect to an unparseable location from " + shown);
            }
            String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || !options.allowedSchemes().contains(scheme)) {
                throw new FetchException(FetchFailure.DENIED, "redirect to a scheme that is not allowed: "
                        + Redaction.uri(next.toString()) + " (from " + shown + ")");
            }
            try {
                checkHost(next);
            } catch (FetchException e) {
                throw new FetchException(FetchFailure.DENIED, "redirect refused: " + e.getMessage() + " (from "
                        + shown + ")");
            }
            get(next, redirects + 1, result);
        } else if (status == 404 || status == 410) {
            throw new FetchException(FetchFailure.NOT_FOUND, "HTTP " + status + " for " + shown);
        } else {
            throw new FetchException(FetchFailure.HTTP_STATUS, "HTTP " + status + " for " + shown);
        }
    }

    // ---- shared

    private FetchedImage verify(FetchedImage image, String expectedSha256) {
        if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(image.sha256())) {
            throw new java.util.concurrent.CompletionException(new FetchException(FetchFailure.SHA256_MISMATCH,
                    "sha256 of the fetched bytes is " + image.sha256() + ", the event says "
                            + expectedSha256.toLowerCase(Locale.ROOT) + ": " + image.source()));
        }
        return image;
    }

    /** Maps whatever went wrong to a {@link FetchException}. */
    static FetchException classify(Throwable error, URI uri) {
        FetchException known = FetchException.find(error);
        if (known != null) {
            return known;
        }
        String shown = Redaction.uri(uri.toString());
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root
                && (root instanceof java.util.concurrent.CompletionException
                || root instanceof java.util.concurrent.ExecutionException)) {
            root = root.getCause();
        }
        if (root instanceof TimeoutException || root instanceof HttpTimeoutException
                || root instanceof HttpConnectTimeoutException) {
            return new FetchException(FetchFailure.TIMEOUT, "no complete response within the timeout from " + shown);
        }
        if (root instanceof ConnectException) {
            return new FetchException(FetchFailure.IO_ERROR, "connection refused by " + shown);
        }
        return new FetchException(FetchFailure.IO_ERROR, root.getClass().getSimpleName() + " while fetching "
                + shown + (root.getMessage() == null ? "" : ": " + Redaction.text(root.getMessage())));
    }

    /** One digest per thread: looking the algorithm up costs as much as hashing a small image. */
    private static final ThreadLocal<java.security.MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from this JVM", e);
        }
    });

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(SHA256.get().digest(bytes)); // digest() resets the instance
    }


    @Override
    public void close() {
        executor.shutdownNow();
        httpExecutor.shutdownNow();
    }
}
