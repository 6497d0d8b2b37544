package io.vlmtagger.operators.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.vlmtagger.schemas.ImageRef;
import io.vlmtagger.schemas.InlineImage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFetcherFileTest {
    @TempDir
    Path tmp;

    private Path root;
    private Path outside;
    private ImageFetcher fetcher;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createDirectories(tmp.resolve("root"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        Files.write(root.resolve("a.png"), new byte[] {1, 2, 3});
        Files.write(root.resolve("big.png"), new byte[2000]);
        Files.write(outside.resolve("secret.png"), new byte[] {6, 6, 6});
        fetcher = new ImageFetcher(FetcherOptions.builder().optAllowedRoot(root).optMaxBytes(1000).build());
    }

    @AfterEach
    void tearDown() {
        fetcher.close();
    }

    static ImageRef ref(String uri, String sha) {
        return ImageRef.newBuilder().setUri(uri).setSha256(sha).build();
    }

    static FetchFailure failureOf(CompletableFuture<FetchedImage> f) {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            FetchException fe = FetchException.find(e);
            assertThat(fe).as("a FetchException in %s", e).isNotNull();
            return fe.failure();
        }
        throw new AssertionError("fetch succeeded but was expected to fail");
    }

    @Test
    void readsFilesUnderTheRootAndVerifiesTheirHash() throws Exception {
        String sha = ImageFetcher.sha256(new byte[] {1, 2, 3});
        FetchedImage img = fetcher.fetch(ref(root.resolve("a.png").toUri().toString(), sha.toUpperCase())).get();
        assertThat(img.bytes()).containsExactly(1, 2, 3);
        assertThat(img.sha256()).isEqualTo(sha);
        assertThat(failureOf(fetcher.fetch(ref(root.resolve("a.png").toUri().toString(), "0".repeat(64)))))
                .isEqualTo(FetchFailure.SHA256_MISMATCH);
    }

    @Test
    void refusesDotDotEscapesAndPathsOutsideTheRoots() {
        String escape = "file://" + root + "/../outside/secret.png";
        assertThat(failureOf(fetcher.fetch(ref(escape, null)))).isEqualTo(FetchFailure.DENIED);
        assertThat(failureOf(fetcher.fetch(ref(outside.resolve("secret.png").toUri().toString(), null))))
                .isEqualTo(FetchFailure.DENIED);
        // outside the roots, even a missing file is "denied", so that probing tells nothing
        assertThat(failureOf(fetcher.fetch(ref("file:///etc/no-such-file", null)))).isEqualTo(FetchFailure.DENIED);
        assertThat(failureOf(fetcher.fetch(ref("file://otherhost" + root + "/a.png", null))))
                .isEqualTo(FetchFailure.DENIED);
    }

    @Test
    void refusesSymlinksThatLeaveTheRootButFollowsThoseThatStayInside() throws Exception {
        Path out = Files.createSymbolicLink(root.resolve("link-out.png"), outside.resolve("secret.png"));
        Path dirOut = Files.createSymbolicLink(root.resolve("dir-out"), outside);
        Path in = Files.createSymbolicLink(root.resolve("link-in.png"), root.resolve("a.png"));
        assertThat(failureOf(fetcher.fetch(ref(out.toUri().toString(), null)))).isEqualTo(FetchFailure.DENIED);
        assertThat(failureOf(fetcher.fetch(ref(dirOut.resolve("secret.png").toUri().toString(), null))))
                .isEqualTo(FetchFailure.DENIED);
        assertThat(fetcher.fetch(ref(in.toUri().toString(), null)).get().bytes()).containsExactly(1, 2, 3);
    }

    @Test
    void missingLargeAndOddInputsFailWithTheirOwnReason() {
        assertThat(failureOf(fetcher.fetch(ref(root.resolve("nope.png").toUri().toString(), null))))
                .isEqualTo(FetchFailure.NOT_FOUND);
        assertThat(failureOf(fetcher.fetch(ref(root.toUri().toString(), null)))).isEqualTo(FetchFailure.NOT_FOUND);
        assertThat(failureOf(fetcher.fetch(ref(root.resolve("big.png").toUri().toString(), null))))
                .isEqualTo(FetchFailure.TOO_LARGE);
        assertThat(failureOf(fetcher.fetch(ref("ftp://host/a.png", null)))).isEqualTo(FetchFailure.UNSUPPORTED_SCHEME);
        assertThat(failureOf(fetcher.fetch(ref("http://host/a.png", null)))).isEqualTo(FetchFailure.DENIED);
        assertThat(failureOf(fetcher.fetch(ref("not a uri at all", null)))).isEqualTo(FetchFailure.INVALID_URI);
        assertThat(failureOf(fetcher.fetch(ref("relative/path.png", null)))).isEqualTo(FetchFailure.INVALID_URI);
    }

    @Test
    void inlineImagesAreHashedAndCapped() throws Exception {
        FetchedImage img = fetcher.fetch(InlineImage.newBuilder().setData(ByteBuffer.wrap(new byte[] {4, 5}))
                .setContentType("image/png").build()).get();
        assertThat(img.bytes()).containsExactly(4, 5);
        assertThat(img.contentType()).isEqualTo("image/png");
        assertThat(img.source()).isEqualTo("inline");
        assertThat(failureOf(fetcher.fetch(InlineImage.newBuilder().setData(ByteBuffer.wrap(new byte[1001]))
                .setContentType(null).build()))).isEqualTo(FetchFailure.TOO_LARGE);
    }

    @Test
    void aFileRootThatIsNotAllowedByTheSchemeListIsDenied() {
        try (ImageFetcher httpsOnly = new ImageFetcher(FetcherOptions.builder().optAllowedRoot(root)
                .optAllowedSchemes(Set.of("https")).build())) {
            assertThat(failureOf(httpsOnly.fetch(ref(root.resolve("a.png").toUri().toString(), null))))
                    .isEqualTo(FetchFailure.DENIED);
        }
    }
}
