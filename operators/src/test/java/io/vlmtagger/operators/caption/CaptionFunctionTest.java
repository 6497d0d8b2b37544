package io.vlmtagger.operators.caption;

import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.operators.stage.InferenceSettings;
import io.vlmtagger.operators.records.Outcome;
import io.vlmtagger.operators.runtime.ModelSpec;
import io.vlmtagger.operators.testutils.FakeCaptioner;
import io.vlmtagger.operators.testutils.FakeModel;
import io.vlmtagger.operators.testutils.FakeModels;
import io.vlmtagger.operators.testutils.Mailboxes;
import io.vlmtagger.operators.testutils.ManualBatchScheduler;
import io.vlmtagger.operators.testutils.RegisteredFakes;
import io.vlmtagger.operators.testutils.TestTasks;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.FailureStage;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The caption function inside Flink's AsyncWaitOperator, driven through the operator test harness. */
class CaptionFunctionTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Instant NOW = Instant.parse("2026-11-29T03:00:00Z");

    private FakeCaptioner fake;
    private ManualBatchScheduler clock;
    private String fakeId;
    private String clockId;
    private final RegisteredFakes fakes = new RegisteredFakes();

    @BeforeEach
    void setUp() {
        fake = new FakeCaptioner();
        clock = new ManualBatchScheduler();
        fakeId = fakes.register(fake);
        clockId = fakes.register(clock);
    }

    @AfterEach
    void tearDown() throws Exception {
        fake.setManual(false);
        fakes.close();
    }

    private InferenceSettings.Builder settings() {
        return InferenceSettings.builder()
                .optMaxBatchSize(2)
                .optMaxBatchWait(Duration.ofMillis(20))
                .optCapacity(16)
                .optTimeout(Duration.ofHours(1))
                .optMaxAttempts(3)
                .optPreprocessThreads(0)
                .optShutdownTimeout(Duration.ofMillis(200));
    }

    private OneInputStreamOperatorTestHarness<ImageTask, Outcome<EnrichedImage>> harness(
            InferenceSettings settings, long operatorTimeoutMs) throws Exception {
        CaptionFunction fn = CaptionFunction.builder()
                .setModelProvider(FakeModels.captionerProvider(fakeId))
                .setModelSpec(ModelSpec.of("/checkpoints/fake-blip2"))
                .setTagExtractor(caption -> Arrays.asList(caption.replace("a photo of ", "").split(" ")))
                .optSettings(settings)
                .optSchedulerFactory(FakeModels.schedulerFactory(clockId))
                .optClock(Clock.fixed(NOW, ZoneOffset.UTC))
                .build();
        var factory = new AsyncWaitOperatorFactory<>(fn, operatorTimeoutMs, settings.capacity(),
                AsyncDataStream.OutputMode.UNORDERED);
        var harness = new OneInputStreamOperatorTestHarness<ImageTask, Outcome<EnrichedImage>>(factory,
                TypeInformation.of(ImageTask.class).createSerializer(new SerializerConfigImpl()));
        fakes.track(harness);
        return harness;
    }

    @SuppressWarnings("unchecked")
    private static List<Outcome<EnrichedImage>> outcomes(OneInputStreamOperatorTestHarness<?, ?> h) {
        return h.getOutput().stream()
                .filter(o -> o instanceof StreamRecord)
                .map(o -> (Outcome<EnrichedImage>) ((StreamRecord<?>) o).getValue())
                .collect(Collectors.toList());
    }

    private static Map<String, String> captionsByEvent(List<Outcome<EnrichedImage>> outcomes) {
        return outcomes.stream().filter(Outcome::isOk)
                .collect(Collectors.toMap(o -> o.value.getEventId(), o -> o.value.getCaption()));
    }

    private static Map<String, DeadLetter> deadLettersByEvent(List<Outcome<EnrichedImage>> outcomes) {
        return outcomes.stream().filter(o -> !o.isOk())
                .collect(Collectors.toMap(o -> o.deadLetter.getEventId(), o -> o.deadLetter));
    }

    @Test
    void fullBatchRunsAtOnceAndTheRestAfterTheBatchWait() throws Exception {
        fake.setManual(true);
        var h = harness(settings().build(), 0);
        h.open();
        assertThat(fake.openHandles()).isEqualTo(1);
        assertThat(fake.devices()).containsExactly("cpu");

        h.processElement(TestTasks.caption("e1", "cat"), 1L);
        h.processElement(TestTasks.caption("e2", "dog"), 2L);
        h.processElement(TestTasks.caption("e3", "owl"), 3L);
        FakeModel.Call<?> first = fake.nextCall(WAIT);
        assertThat(first.labels()).containsExactly("cat", "dog");
        first.complete();
        Mailboxes.drainUntil(h, () -> outcomes(h).size() == 2, WAIT);

        clock.advance(Duration.ofMillis(19));
        Mailboxes.drain(h);
        assertThat(fake.batches()).as("owl waits for company until 20 ms").hasSize(1);
        clock.advance(Duration.ofMillis(1));
        FakeModel.Call<?> second = fake.nextCall(WAIT);
        assertThat(second.labels()).containsExactly("owl");
        second.complete();
        Mailboxes.drainUntil(h, () -> outcomes(h).size() == 3, WAIT);

        assertThat(captionsByEvent(outcomes(h))).containsExactlyInAnyOrderEntriesOf(Map.of(
                "e1", "a photo of cat", "e2", "a photo of dog", "e3", "a photo of owl"));
        EnrichedImage cat = outcomes(h).stream().filter(o -> o.value.getEventId().equals("e1")).findFirst().orElseThrow().value;
        assertThat(cat.getTags()).containsExactly("cat");
        assertThat(cat.getImageRef()).isEqualTo("inline:" + TestTasks.sha256("cat".getBytes()));
        assertThat(cat.getImageSha256()).isEqualTo(TestTasks.sha256("cat".getBytes()));
        assertThat(cat.getModels()).singleElement().satisfies(m -> {
            assertThat(m.getStage()).isEqualTo("caption");
            assertThat(m.getModel()).isEqualTo("fake-blip2");
            assertThat(m.getRevision()).isEqualTo("rev-1");
        });
        assertThat(cat.getTimings().getReceivedAt()).isEqualTo(Instant.ofEpochMilli(1_700_000_001_000L));
        assertThat(cat.getTimings().getInferredAt()).isEqualTo(NOW);
        assertThat(cat.getTimings().getInferenceMs()).isEqualTo(6.0);
        assertThat(cat.getAttributes()).containsEntry("tenant", "t1");
        assertThat(cat.getQuestion()).isNull();
    }

    @Test
    void decodeErrorsAndModelFailuresBecomeDeadLettersWithoutSinkingBatchmates() throws Exception {
        var h = harness(settings().optMaxBatchWait(Duration.ZERO).optMaxBatchSize(4).build(), 0);
        h.open();
        fake.setManual(true);
        h.processElement(TestTasks.caption("bad", "corrupt-bytes"), 1L);
        h.processElement(TestTasks.caption("big", "huge-image"), 1L);
        h.processElement(TestTasks.caption("p", "poison"), 1L);
        h.processElement(TestTasks.caption("ok", "cat"), 1L);
        h.processElement(TestTasks.caption("ok2", "dog"), 1L);
        // the first call took 'poison' alone (the model was idle); the second gets the rest
        fake.setManual(false);
        fake.nextCall(WAIT).complete();
        fake.nextCall(WAIT).complete();
        Mailboxes.drainUntil(h, () -> outcomes(h).size() == 5, WAIT);

        assertThat(captionsByEvent(outcomes(h))).containsOnlyKeys("ok", "ok2");
        Map<String, DeadLetter> dls = deadLettersByEvent(outcomes(h));
        assertThat(dls.get("bad").getStage()).isEqualTo(FailureStage.PREPROCESS);
        assertThat(dls.get("bad").getReason()).isEqualTo("corrupt_image");
        assertThat(dls.get("bad").getAttempts()).as("decode errors are not retried").isEqualTo(1);
        assertThat(dls.get("bad").getOriginalBytes()).as("the event's Avro bytes, for replay").isNotNull();
        assertThat(dls.get("big").getReason()).isEqualTo("too_large");
        DeadLetter poison = dls.get("p");
        assertThat(poison.getStage()).isEqualTo(FailureStage.INFERENCE);
        assertThat(poison.getReason()).isEqualTo("inference_failed");
        assertThat(poison.getAttempts()).isEqualTo(3);
        assertThat(poison.getErrorMessage()).contains("poison");
        assertThat(poison.getTopic()).isEqualTo("images");
        assertThat(poison.getFailedAt()).isEqualTo(NOW);
        assertThat(fake.batches().stream().filter(b -> b.contains("poison")).count()).as("3 attempts").isGreaterThanOrEqualTo(3);
        assertThat(fake.batches()).allSatisfy(b -> assertThat(b).doesNotContain("corrupt-bytes", "huge-image"));
    }

    @Test
    void timedOutAttemptIsRetriedThenDeadLettered() throws Exception {
        fake.setManual(true);
        var h = harness(settings().optTimeout(Duration.ofMillis(100)).optMaxAttempts(2).build(), 0);
        h.open();
        h.processElement(TestTasks.caption("slow", "sloth"), 1L);
        clock.advance(Duration.ofMillis(20));
        FakeModel.Call<?> attempt1 = fake.nextCall(WAIT);
        clock.advance(Duration.ofMillis(100));          // attempt 1 times out, attempt 2 queues behind the busy model
        attempt1.complete();                             // too late: discarded
        Mailboxes.drain(h);
        assertThat(outcomes(h)).isEmpty();

        // the model is free again; attempt 2 waits its 20 ms batch window, then runs
        FakeModel.Call<?> attempt2 = null;
        for (int i = 0; i < 500 && attempt2 == null; i++) {
            clock.advance(Duration.ofMillis(1));
            Thread.sleep(1);
            if (fake.batches().size() == 2) {
                attempt2 = fake.nextCall(WAIT);
            }
        }
        assertThat(attempt2).isNotNull();
        assertThat(attempt2.labels()).containsExactly("sloth");
        clock.advance(Duration.ofMillis(100));          // attempt 2 times out as well
        Mailboxes.drainUntil(h, () -> outcomes(h).size() == 1, WAIT);
        DeadLetter dl = outcomes(h).get(0).deadLetter;
        assertThat(dl.getReason()).isEqualTo("timeout");
        assertThat(dl.getStage()).isEqualTo(FailureStage.INFERENCE);
        assertThat(dl.getAttempts()).isEqualTo(2);
        attempt2.complete();
    }

    @Test
    void flinkOperatorTimeoutIsTheBackstopAndAlsoDeadLetters() throws Exception {
        fake.setManual(true);
        var h = harness(settings().build(), 5_000);
        h.open();
        h.processElement(TestTasks.caption("stuck", "cat"), 1L);
        h.processElement(TestTasks.caption("stuck2", "dog"), 1L);
        FakeModel.Call<?> call = fake.nextCall(WAIT);
        h.setProcessingTime(5_000);
        Mailboxes.drainUntil(h, () -> outcomes(h).size() == 2, WAIT);
        assertThat(deadLettersByEvent(outcomes(h)).values()).allSatisfy(dl -> {
            assertThat(dl.getReason()).isEqualTo("timeout");
            assertThat(dl.getAttempts()).isEqualTo(1);
        });
        call.complete();
        Thread.sleep(50);
        Mailboxes.drain(h);
        assertThat(outcomes(h)).as("the late result is dropped").hasSize(2);
    }

    @Test
    void inFlightElementsSurviveSnapshotAndRestore() throws Exception {
        fake.setManual(true);
        InferenceSettings settings = settings().build();
        var h1 = harness(settings, 0);
        h1.open();
        h1.processElement(TestTasks.caption("e1", "cat"), 10L);
        h1.processElement(TestTasks.caption("e2", "dog"), 11L);
        h1.processElement(TestTasks.caption("e3", "owl"), 12L);
        FakeModel.Call<?> running = fake.nextCall(WAIT);   // cat+dog on the model, owl queued
        assertThat(running.labels()).containsExactly("cat", "dog");
        OperatorSubtaskState snapshot = h1.snapshot(1L, 1L);
        h1.close();
        fakes.forget(h1);
        assertThat(outcomes(h1)).as("shutdown emits no dead letters").isEmpty();
        assertThat(fake.openHandles()).as("model released on close").isZero();

        fake.setManual(false);
        var h2 = harness(settings, 0);
        h2.initializeState(snapshot);
        h2.open();
        clock.advance(Duration.ofMillis(20));
        Mailboxes.drainUntil(h2, () -> outcomes(h2).size() == 3, WAIT);
        assertThat(captionsByEvent(outcomes(h2))).containsExactlyInAnyOrderEntriesOf(Map.of(
                "e1", "a photo of cat", "e2", "a photo of dog", "e3", "a photo of owl"));
        assertThat(h2.getOutput().stream().filter(o -> o instanceof StreamRecord)
                .map(o -> ((StreamRecord<?>) o).getTimestamp())).containsExactlyInAnyOrder(10L, 11L, 12L);
    }
}
