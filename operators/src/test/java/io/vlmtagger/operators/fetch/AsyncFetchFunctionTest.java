package io.vlmtagger.operators.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.operators.records.Outcome;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.FailureStage;
import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.ImageRef;
import io.vlmtagger.schemas.InlineImage;
import io.vlmtagger.schemas.TaskType;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link AsyncFetchFunction} driven through Flink's {@code AsyncWaitOperator} in a test harness. */
class AsyncFetchFunctionTest {
    private static final long TIMEOUT_MS = 1_000;
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(42_000), ZoneOffset.UTC);

    /** Controllable clients by test id: the factory must be serializable, the futures must not. */
    private static final Map<String, ManualClient> CLIENTS = new ConcurrentHashMap<>();

    @TempDir
    Path tmp;

    private final String id = UUID.randomUUID().toString();
    private OneInputStreamOperatorTestHarness<ImageTask, Outcome<ImageTask>> harness;

    /** Futures completed by the test, so timing is deterministic. */
    static final class ManualClient implements FetchClient {
        final Map<String, CompletableFuture<FetchedImage>> pending = new ConcurrentHashMap<>();
        volatile boolean closed;

        @Override
        public CompletableFuture<FetchedImage> fetch(ImageEvent event) {
            if (event.getEventId().startsWith("throw")) {
                throw new IllegalStateException("client bug");
            }
            return pending.computeIfAbsent(event.getEventId(), k -> new CompletableFuture<>());
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    static final class ManualFactory implements AsyncFetchFunction.ClientFactory {
        private static final long serialVersionUID = 1L;
        private final String id;

        ManualFactory(String id) {
            this.id = id;
        }

        @Override
        public FetchClient create() {
            return CLIENTS.computeIfAbsent(id, k -> new ManualClient());
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        CLIENTS.remove(id);
    }

    private void openHarness(AsyncFetchFunction fn, AsyncDataStream.OutputMode mode) throws Exception {
        harness = new OneInputStreamOperatorTestHarness<>(
                new AsyncWaitOperatorFactory<>(fn, TIMEOUT_MS, 10, mode),
                TypeInformation.of(ImageTask.class).createSerializer(new SerializerConfigImpl()));
        // the harness copies every output; give it the real output serializer, as the job graph would
        harness.setup(AsyncFetchFunction.OUTPUT_TYPE.createSerializer(new SerializerConfigImpl()));
        harness.open();
    }

    private ManualClient client() {
        return CLIENTS.get(id);
    }

    static ImageTask task(String eventId, Object image) {
        ImageEvent e = ImageEvent.newBuilder().setEventId(eventId).setEventTime(Instant.EPOCH).setSource("t")
                .setImage(image).setTasks(List.of(TaskType.CAPTION)).setQuestion(null).setConversationId(null)
                .setAttributes(Map.of()).build();
        return new ImageTask(e, "images", 0, eventId.hashCode() & 0xffff, 1L);
    }

    static ImageRef ref(String uri) {
        return ImageRef.newBuilder().setUri(uri).setSha256(null).build();
    }

    private static FetchedImage image(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return new FetchedImage(bytes, ImageFetcher.sha256(bytes), null, "test");
    }

    @ParameterizedTest
    @EnumSource(AsyncDataStream.OutputMode.class)
    void successesCarryTheBytesAndFailuresBecomeDeadLetters(AsyncDataStream.OutputMode mode) throws Exception {
        openHarness(new AsyncFetchFunction(new ManualFactory(id), CLOCK, 1024), mode);
        harness.processElement(new StreamRecord<>(task("a", ref("file:///a.png")), 1L));
        harness.processElement(new StreamRecord<>(task("b", ref("file:///b.png")), 2L));
        harness.processElement(new StreamRecord<>(task("throw-1", ref("file:///c.png")), 3L));

        // complete out of order
        client().pending.get("b").completeExceptionally(new FetchException(FetchFailure.NOT_FOUND, "no such file"));
        client().pending.get("a").complete(image(1, 2, 3));
        harness.endInput();

        List<Outcome<ImageTask>> out = harness.extractOutputValues();
        assertThat(out).hasSize(3);
        if (mode == AsyncDataStream.OutputMode.ORDERED) {
            assertThat(out.get(0).isOk()).isTrue();
            assertThat(out.get(1).deadLetter.getEventId()).isEqualTo("b");
            assertThat(out.get(2).deadLetter.getEventId()).isEqualTo("throw-1");
        }
        Outcome<ImageTask> a = out.stream().filter(Outcome::isOk).findFirst().orElseThrow();
        assertThat(a.value.eventId()).isEqualTo("a");
        assertThat(a.value.imageBytes).containsExactly(1, 2, 3);
        assertThat(a.value.imageSha256).isEqualTo(ImageFetcher.sha256(new byte[] {1, 2, 3}));

        DeadLetter b = deadLetterOf(out, "b");
        assertThat(b.getStage()).isEqualTo(FailureStage.FETCH);
        assertThat(b.getReason()).isEqualTo("fetch_not_found");
        assertThat(b.getErrorClass()).isEqualTo(FetchException.class.getName());
        assertThat(b.getTopic()).isEqualTo("images");
        assertThat(b.getFailedAt()).isEqualTo(Instant.ofEpochMilli(42_000));
        assertThat(b.getOriginalBytes()).isNotNull();
        assertThat(deadLetterOf(out, "throw-1").getReason()).isEqualTo("fetch_io_error");

        harness.close();
        assertThat(client().closed).isTrue();
    }

    @Test
    void aFetchThatOutlivesTheOperatorTimeoutBecomesADeadLetterNotAJobFailure() throws Exception {
        openHarness(new AsyncFetchFunction(new ManualFactory(id), CLOCK, 1024), AsyncDataStream.OutputMode.ORDERED);
        harness.setProcessingTime(0L);
        harness.processElement(new StreamRecord<>(task("slow", ref("https://img/slow.png")), 1L));
        harness.processElement(new StreamRecord<>(task("fast", ref("https://img/fast.png")), 2L));
        client().pending.get("fast").complete(image(9));

        harness.setProcessingTime(TIMEOUT_MS + 1);
        // the slow fetch finishes after its timeout: too late, ignored
        client().pending.get("slow").complete(image(7, 7));
        harness.endInput();

        List<Outcome<ImageTask>> out = harness.extractOutputValues();
        assertThat(out).hasSize(2);
        assertThat(out.get(0).isOk()).isFalse();
        assertThat(out.get(0).deadLetter.getEventId()).isEqualTo("slow");
        assertThat(out.get(0).deadLetter.getReason()).isEqualTo("fetch_timeout");
        assertThat(out.get(0).deadLetter.getStage()).isEqualTo(FailureStage.FETCH);
        assertThat(out.get(1).isOk()).isTrue();
        assertThat(out.get(1).value.imageBytes).containsExactly(9);
        harness.close();
    }

    @Test
    void theDefaultConstructorFetchesForRealWithTheAllowLists() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("images"));
        Files.write(root.resolve("x.png"), new byte[] {5, 6});
        openHarness(new AsyncFetchFunction(FetcherOptions.builder().optAllowedRoot(root).build()),
                AsyncDataStream.OutputMode.ORDERED);
        harness.processElement(new StreamRecord<>(task("file", ref(root.resolve("x.png").toUri().toString())), 1L));
        harness.processElement(new StreamRecord<>(task("inline", InlineImage.newBuilder()
                .setData(ByteBuffer.wrap(new byte[] {3})).setContentType(null).build()), 2L));
        harness.processElement(new StreamRecord<>(task("denied", ref("file:///etc/passwd")), 3L));
        harness.endInput();

        List<Outcome<ImageTask>> out = harness.extractOutputValues();
        assertThat(out).hasSize(3);
        assertThat(out.get(0).value.imageBytes).containsExactly(5, 6);
        assertThat(out.get(1).value.imageBytes).containsExactly(3);
        assertThat(out.get(2).deadLetter.getReason()).isEqualTo("fetch_denied");
        harness.close();
    }

    private static DeadLetter deadLetterOf(List<Outcome<ImageTask>> out, String eventId) {
        return out.stream().filter(o -> !o.isOk() && eventId.equals(o.deadLetter.getEventId()))
                .findFirst().orElseThrow().deadLetter;
    }

    @Test
    void anInlineImageIsKeptOnceAfterTheFetchAndDeadLettersStillCarryIt() throws Exception {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};
        ImageEvent event = ImageEvent.newBuilder().setEventId("inline-1").setEventTime(Instant.EPOCH).setSource("t")
                .setImage(InlineImage.newBuilder().setData(ByteBuffer.wrap(png)).setContentType("image/png").build())
                .setTasks(List.of(TaskType.CAPTION)).build();
        ImageTask fetched = AsyncFetchFunction.withImage(new ImageTask(event, "images", 0, 7, 1),
                new FetchedImage(png, "sha", "image/png", "inline"));

        assertThat(fetched.imageBytes).isEqualTo(png);
        InlineImage kept = (InlineImage) fetched.event.getImage();
        assertThat(kept.getData().remaining()).as("the event no longer holds a second copy").isZero();
        assertThat(kept.getContentType()).isEqualTo("image/png");
        assertThat(fetched.event.getEventId()).isEqualTo("inline-1");
        assertThat(((InlineImage) event.getImage()).getData().remaining()).as("the input is not changed").isEqualTo(png.length);
        assertThat(fetched.sizeBytes()).isEqualTo(512 + png.length);

        DeadLetter dl = io.vlmtagger.operators.deadletter.DeadLetters.forTask(fetched)
                .setStage(FailureStage.INFERENCE).setReason("inference_failed").build();
        ImageEvent replay = io.vlmtagger.schemas.serde.AvroCodec.of(ImageEvent.class).decode(dl.getOriginalBytes().array());
        ByteBuffer data = ((InlineImage) replay.getImage()).getData();
        byte[] replayed = new byte[data.remaining()];
        data.get(replayed);
        assertThat(replayed).as("the dead letter replays the event as sent").isEqualTo(png);
    }
}
