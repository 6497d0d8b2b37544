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
import io.vlmtagger.schemas.EnrichedImage;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Deduplication by image hash inside the caption function: in flight and through the result cache. */
class CaptionFunctionDedupTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private FakeCaptioner fake;
    private String fakeId;
    private String clockId;
    private final RegisteredFakes fakes = new RegisteredFakes();

    @BeforeEach
    void setUp() {
        fake = new FakeCaptioner();
        fakeId = fakes.register(fake);
        clockId = fakes.register(new ManualBatchScheduler());
    }

    @AfterEach
    void tearDown() throws Exception {
        fake.setManual(false);
        fakes.close();
    }

    private OneInputStreamOperatorTestHarness<ImageTask, Outcome<EnrichedImage>> harness(CaptionFunction.Builder b)
            throws Exception {
        InferenceSettings settings = InferenceSettings.builder()
                .optMaxBatchSize(2).optMaxBatchWait(Duration.ofMillis(20)).optCapacity(16)
                .optTimeout(Duration.ofHours(1)).optMaxAttempts(1).optPreprocessThreads(0)
                .optShutdownTimeout(Duration.ofMillis(200)).build();
        CaptionFunction fn = b.setModelProvider(FakeModels.captionerProvider(fakeId))
                .setModelSpec(ModelSpec.of("/checkpoints/fake-blip2"))
                .setTagExtractor(caption -> List.of(caption.split(" ")))
                .optSettings(settings)
                .optSchedulerFactory(FakeModels.schedulerFactory(clockId))
                .build();
        var h = new OneInputStreamOperatorTestHarness<ImageTask, Outcome<EnrichedImage>>(
                new AsyncWaitOperatorFactory<>(fn, 0, 16, AsyncDataStream.OutputMode.UNORDERED),
                TypeInformation.of(ImageTask.class).createSerializer(new SerializerConfigImpl()));
        fakes.track(h);
        return h;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> captions(OneInputStreamOperatorTestHarness<?, ?> h) {
        return h.getOutput().stream().filter(o -> o instanceof StreamRecord)
                .map(o -> (Outcome<EnrichedImage>) ((StreamRecord<?>) o).getValue())
                .filter(Outcome::isOk)
                .collect(Collectors.toMap(o -> o.value.getEventId(), o -> o.value.getCaption()));
    }

    private static int outputs(OneInputStreamOperatorTestHarness<?, ?> h) {
        return (int) h.getOutput().stream().filter(o -> o instanceof StreamRecord).count();
    }

    @Test
    void identicalImagesInFlightShareOneModelCallAndRepeatsComeFromTheCache() throws Exception {
        fake.setManual(true);
        var h = harness(CaptionFunction.builder().optDedup(100));
        h.open();
        h.processElement(TestTasks.caption("e1", "cat"), 1L);
        h.processElement(TestTasks.caption("e2", "cat"), 2L); // same bytes, in flight: joins e1
        h.processElement(TestTasks.caption("e3", "dog"), 3L);
        FakeModel.Call<?> call = fake.nextCall(WAIT);
        assertThat(call.labels()).containsExactly("cat", "dog");
        call.complete();
        Mailboxes.drainUntil(h, () -> outputs(h) == 3, WAIT);

        h.processElement(TestTasks.caption("e4", "dog"), 4L); // answered from the cache, no model call
        Mailboxes.drainUntil(h, () -> outputs(h) == 4, WAIT);

        assertThat(captions(h)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "e1", "a photo of cat", "e2", "a photo of cat", "e3", "a photo of dog", "e4", "a photo of dog"));
        assertThat(fake.batches()).hasSize(1);
    }

    @Test
    void withoutDedupEveryImageRunsTheModel() throws Exception {
        fake.setManual(true);
        var h = harness(CaptionFunction.builder());
        h.open();
        h.processElement(TestTasks.caption("e1", "cat"), 1L);
        h.processElement(TestTasks.caption("e2", "cat"), 2L);
        FakeModel.Call<?> call = fake.nextCall(WAIT);
        assertThat(call.labels()).containsExactly("cat", "cat");
        call.complete();
        Mailboxes.drainUntil(h, () -> outputs(h) == 2, WAIT);
        assertThat(captions(h)).hasSize(2);
    }

    @Test
    void negativeCacheSizeIsRejectedWithTheFix() {
        assertThatThrownBy(() -> CaptionFunction.builder().optDedup(-1))
                .hasMessageContaining("omit the call to turn deduplication off");
    }
}
