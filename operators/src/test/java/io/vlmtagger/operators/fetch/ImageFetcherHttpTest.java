package io.vlmtagger.operators.fetch;

import static io.vlmtagger.operators.fetch.ImageFetcherFileTest.failureOf;
import static io.vlmtagger.operators.fetch.ImageFetcherFileTest.ref;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HTTP cases against a JDK HttpServer on 127.0.0.1. */
class ImageFetcherHttpTest {
    private static final byte[] IMAGE = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};
    private static final int CAP = 64 * 1024;

    private HttpServer server;
    private ExecutorService serverThreads;
    private ImageFetcher fetcher;
    private String base;
    private final AtomicLong bigWritten = new AtomicLong();
    private final AtomicBoolean bigAborted = new AtomicBoolean();
    private final CountDownLatch bigDone = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        serverThreads = Executors.newCachedThreadPool();
        server.setExecutor(serverThreads);
        server.createContext("/ok", ex -> respond(ex, 200, IMAGE));
        server.createContext("/missing", ex -> respond(ex, 404, new byte[0]));
        server.createContext("/error", ex -> respond(ex, 503, new byte[0]));
        server.createContext("/slow", ex -> {
            await(release);
            respond(ex, 200, IMAGE);
        });
        server.createContext("/stalled-body", ex -> {
            ex.sendResponseHeaders(200, IMAGE.length);
            ex.getResponseBody().write(IMAGE, 0, 2);
            ex.getResponseBody().flush();
            await(release);
            ex.close();
        });
        server.createContext("/declared-big", ex -> respond(ex, 200, new byte[CAP + 1]));
        server.createContext("/chunked-big", this::streamForever);
        server.createContext("/redirect-ok", ex -> redirect(ex, "/ok"));
        server.createContext("/redirect-twice", ex -> redirect(ex, base + "/redirect-ok"));
        server.createContext("/redirect-evil", ex -> redirect(ex, "http://evil.example.com/x.png"));
        server.createContext("/redirect-file", ex -> redirect(ex, "file:///etc/passwd"));
        server.createContext("/loop", ex -> redirect(ex, "/loop"));
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        fetcher = fetcher(Duration.ofSeconds(5));
    }

    private ImageFetcher fetcher(Duration readTimeout) {
        return new ImageFetcher(FetcherOptions.builder().optAllowedSchemes(Set.of("http", "https"))
                .optAllowedHost("127.0.0.1").optConnectTimeout(Duration.ofSeconds(2))
                .optReadTimeout(readTimeout).optMaxBytes(CAP).optMaxRedirects(3).build());
    }

    @AfterEach
    void stop() {
        release.countDown();
        fetcher.close();
        server.stop(0);
        serverThreads.shutdownNow();
    }

    @Test
    void fetchesFollowsAllowedRedirectsAndVerifiesTheHash() throws Exception {
        FetchedImage img = fetcher.fetch(ref(base + "/ok", ImageFetcher.sha256(IMAGE))).get(5, TimeUnit.SECONDS);
        assertThat(img.bytes()).containsExactly(IMAGE);
        assertThat(img.contentType()).isEqualTo("image/png");
        assertThat(fetcher.fetch(ref(base + "/redirect-twice", null)).get(5, TimeUnit.SECONDS).bytes())
                .containsExactly(IMAGE);
        assertThat(failureOf(fetcher.fetch(ref(base + "/ok", "ab".repeat(32))))).isEqualTo(FetchFailure.SHA256_MISMATCH);
    }

    @Test
    void slowHeadersAndStalledBodiesTimeOut() throws Exception {
        // the first exchange of a JVM pays for class loading (about a second on a busy machine)
        fetcher.fetch(ref(base + "/ok", null)).get(10, TimeUnit.SECONDS);
        try (ImageFetcher impatient = fetcher(Duration.ofMillis(1500))) {
            long start = System.nanoTime();
            assertThat(failureOf(impatient.fetch(ref(base + "/slow", null)))).isEqualTo(FetchFailure.TIMEOUT);
            assertThat(failureOf(impatient.fetch(ref(base + "/stalled-body", null)))).isEqualTo(FetchFailure.TIMEOUT);
            // both gave up after their 1.5 s, not after the server's 10 s
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
        }
    }

    @Test
    void tooLargeResponsesAreCutOffWhileReading() throws Exception {
        assertThat(failureOf(fetcher.fetch(ref(base + "/declared-big", null)))).isEqualTo(FetchFailure.TOO_LARGE);
        assertThat(failureOf(fetcher.fetch(ref(base + "/chunked-big", null)))).isEqualTo(FetchFailure.TOO_LARGE);
        // the server sees the client go away long before it could send its 64 MiB
        assertThat(bigDone.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(bigAborted).isTrue();
        assertThat(bigWritten.get()).isLessThan(64L * 1024 * 1024);
    }

    @Test
    void redirectsToOtherHostsOrSchemesAndLoopsAreRefused() {
        assertThat(failureOf(fetcher.fetch(ref(base + "/redirect-evil", null)))).isEqualTo(FetchFailure.DENIED);
        assertThat(failureOf(fetcher.fetch(ref(base + "/redirect-file", null)))).isEqualTo(FetchFailure.DENIED);
        assertThat(failureOf(fetcher.fetch(ref(base + "/loop", null)))).isEqualTo(FetchFailure.HTTP_STATUS);
    }

    @Test
    void statusCodesHostsAndClosedPortsMapToStableReasons() throws Exception {
        assertThat(failureOf(fetcher.fetch(ref(base + "/missing", null)))).isEqualTo(FetchFailure.NOT_FOUND);
        assertThat(failureOf(fetcher.fetch(ref(base + "/error", null)))).isEqualTo(FetchFailure.HTTP_STATUS);
        String viaLocalhost = "http://localhost:" + server.getAddress().getPort() + "/ok";
        assertThat(failureOf(fetcher.fetch(ref(viaLocalhost, null)))).isEqualTo(FetchFailure.DENIED);
        assertThat(failureOf(fetcher.fetch(ref("http://u:p@127.0.0.1:1/ok", null)))).isEqualTo(FetchFailure.DENIED);

        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        assertThat(failureOf(fetcher.fetch(ref("http://127.0.0.1:" + closedPort + "/x.png", null))))
                .isEqualTo(FetchFailure.IO_ERROR);
    }

    @Test
    void errorMessagesNeverCarryQueryStrings() throws Exception {
        try {
            fetcher.fetch(ref(base + "/missing?token=s3cr3t", null)).get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            FetchException fe = FetchException.find(e);
            assertThat(fe.failure()).isEqualTo(FetchFailure.NOT_FOUND);
            assertThat(fe.getMessage()).contains("/missing?***").doesNotContain("s3cr3t");
            return;
        }
        throw new AssertionError("expected a failure");
    }

    private void streamForever(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().add("Content-Type", "image/png");
        ex.sendResponseHeaders(200, 0); // chunked, no Content-Length
        byte[] chunk = new byte[16 * 1024];
        try (OutputStream out = ex.getResponseBody()) {
            for (int i = 0; i < 4096; i++) {
                out.write(chunk);
                out.flush();
                bigWritten.addAndGet(chunk.length);
            }
        } catch (IOException e) {
            bigAborted.set(true);
        } finally {
            bigDone.countDown();
        }
    }

    private static void respond(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.getResponseHeaders().add("Content-Type", "image/png");
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            ex.getResponseBody().write(body);
        }
        ex.close();
    }

    private static void redirect(HttpExchange ex, String location) throws IOException {
        ex.getResponseHeaders().add("Location", location);
        ex.sendResponseHeaders(302, -1);
        ex.close();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
