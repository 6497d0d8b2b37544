package io.vlmtagger.jobs;

import io.vlmtagger.jobs.config.JobConfig;
import io.vlmtagger.operators.fetch.FetcherOptions;
import io.vlmtagger.operators.inference.InferenceSettings;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.operators.testutils.FakeCaptioner;
import io.vlmtagger.operators.testutils.FakeModels;
import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.InlineImage;
import io.vlmtagger.schemas.TaskType;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TaggingJobTest {

    private static final String CAPTIONER = FakeModels.register(new FakeCaptioner());

    private static TaggingJob job(String... args) {
        return TaggingJob.builder().setConfig(JobConfig.fromArgs(args))
                .setCaptionerProvider(FakeModels.captionerProvider(CAPTIONER)).build();
    }

    @Test
    void builderSaysWhatIsMissing() {
        assertThatThrownBy(() -> TaggingJob.builder().build()).hasMessageContaining("setConfig");
        assertThatThrownBy(() -> TaggingJob.builder().setConfig(JobConfig.defaults()).build())
                .hasMessageContaining("setCaptionerProvider");
        assertThatThrownBy(() -> TaggingJob.builder().setConfig(JobConfig.defaults())
                .setCaptionerProvider(FakeModels.captionerProvider(CAPTIONER)).build())
                .hasMessageContaining("--model.caption.checkpoint");
        assertThatThrownBy(() -> job("--model.caption.checkpoint", "/b", "--model.chat.checkpoint", "/l"))
                .hasMessageContaining("optChatModelProvider");
    }

    @Test
    void fetchOptionsComeFromTheJobOptions() {
        FetcherOptions f = job("--model.caption.checkpoint", "/b", "--fetch.allowed-roots", "/data/a;/data/b",
                "--fetch.allowed-hosts", "images.example.org", "--fetch.allowed-schemes", "https",
                "--fetch.max-bytes", "1mb", "--fetch.timeout", "750ms").fetcherOptions();
        assertThat(f.allowedRoots()).containsExactly(Path.of("/data/a"), Path.of("/data/b"));
        assertThat(f.allowedHosts()).containsExactly("images.example.org");
        assertThat(f.allowedSchemes()).containsExactly("https");
        assertThat(f.maxBytes()).isEqualTo(1024 * 1024);
        assertThat(f.readTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(f.connectTimeout()).isEqualTo(Duration.ofMillis(750));
    }

    @Test
    void modelDevicePinsSubtasksUnlessDevicesAreListed() {
        assertThat(job("--model.caption.checkpoint", "/b").inferenceSettings().devices()).isEmpty();
        assertThat(job("--model.caption.checkpoint", "/b", "--model.device", "gpu:1").inferenceSettings().devices())
                .containsExactly("gpu:1");
        InferenceSettings listed = job("--model.caption.checkpoint", "/b", "--model.device", "gpu:1",
                "--inference.devices", "gpu:0;gpu:2").inferenceSettings();
        assertThat(listed.devices()).containsExactly("gpu:0", "gpu:2");
    }

    /**
     * Every record type of the graph has a Flink serializer (POJO or Avro): with generic types
     * disabled, building the graph fails on the first type that would fall back to Kryo. With
     * chat and few-shot paths on, so that their types are checked too.
     */
    @Test
    void noRecordTypeFallsBackToKryoAndChainedOperatorsShareRecords() {
        Configuration flink = new Configuration();
        flink.setString("pipeline.generic-types", "false");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        TaggingJob.builder()
                .setConfig(JobConfig.fromArgs(new String[] {"--model.caption.checkpoint", "/b",
                        "--model.chat.checkpoint", "/l", "--model.few-shot.checkpoint", "/i"}))
                .setCaptionerProvider(FakeModels.captionerProvider(CAPTIONER))
                .optChatModelProvider((spec, device) -> { throw new UnsupportedOperationException("not loaded"); })
                .optFewShotTaggerProvider((spec, device) -> { throw new UnsupportedOperationException("not loaded"); })
                .build().addTo(env);
        assertThat(env.getConfig().getSerializerConfig().hasGenericTypesDisabled()).isTrue();
        assertThat(env.getStreamGraph().getStreamNodes()).isNotEmpty();
        assertThat(env.getConfig().isObjectReuseEnabled()).isTrue();
    }

    @Test
    void modelSpecCarriesTheDtype() {
        TaggingJob j = job("--model.caption.checkpoint", "/b", "--model.dtype", "float16");
        assertThat(j.modelSpec("model.caption.checkpoint", "/b").dtype()).isEqualTo("float16");
    }

    @Test
    void tasksPickThePaths() {
        assertThat(TaggingJob.wantsCaption(task(List.of(TaskType.CAPTION), null))).isTrue();
        assertThat(TaggingJob.wantsCaption(task(List.of(), null))).isTrue();
        assertThat(TaggingJob.wantsCaption(task(List.of(TaskType.CHAT), "q?"))).isFalse();
        assertThat(TaggingJob.wantsChat(task(List.of(TaskType.CHAT), "q?"))).isTrue();
        assertThat(TaggingJob.wantsChat(task(List.of(TaskType.CAPTION, TaskType.CHAT), "q?"))).isTrue();
        assertThat(TaggingJob.wantsChat(task(List.of(TaskType.CAPTION), "q?"))).isFalse();
        assertThat(TaggingJob.wantsChat(task(List.of(TaskType.CHAT), " "))).isFalse();
    }

    @Test
    void eachEventExpectsOneResultPartPerPathItTakes() {
        assertThat(TaggingJob.expectedParts(task(List.of(TaskType.CAPTION, TaskType.CHAT), "q?")))
                .containsExactly("caption", "chat");
        assertThat(TaggingJob.expectedParts(task(List.of(TaskType.CHAT, TaskType.FEW_SHOT_TAGS), "q?")))
                .containsExactly("chat", "few_shot");
        assertThat(TaggingJob.expectedParts(task(List.of(TaskType.UNKNOWN, TaskType.CAPTION), null)))
                .containsExactly("caption");
    }

    @Test
    void aMissingCaptionCheckpointIsAnOptionErrorNotAStackTrace() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        assertThatThrownBy(() -> TaggingJob.prepare(new String[] {"--kafka.bootstrap-servers", "localhost:1"}, env, true))
                .isExactlyInstanceOf(io.vlmtagger.jobs.config.ConfigException.class)
                .hasMessage("model.caption.checkpoint is not set: give the BLIP-2 checkpoint directory with"
                        + " --model.caption.checkpoint <dir>, or the shipped tiny one with --model.caption.checkpoint"
                        + " builtin:tiny-blip2-shapes");
        assertThatThrownBy(() -> TaggingJob.prepare(new String[] {"--model.caption.checkpoint"}, env, true))
                .isExactlyInstanceOf(io.vlmtagger.jobs.config.ConfigException.class)
                .hasMessageContaining("missing value for --model.caption.checkpoint");
    }

    private static ImageTask task(List<TaskType> tasks, String question) {
        ImageEvent e = ImageEvent.newBuilder().setEventId("e").setEventTime(Instant.EPOCH).setSource("t")
                .setImage(InlineImage.newBuilder().setData(ByteBuffer.wrap(new byte[] {1})).build())
                .setTasks(tasks).setQuestion(question).setAttributes(new HashMap<>()).build();
        return new ImageTask(e, "images", 0, 0, 0);
    }
}
