package io.vlmtagger.jobs.config;

import io.vlmtagger.operators.fetch.FetchOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobConfigTest {

    @Test
    void defaultsApplyWhenNothingIsSet() {
        JobConfig c = JobConfig.defaults();
        assertThat(c.get(JobOptions.TOPIC_INPUT)).isEqualTo("images");
        assertThat(c.get(JobOptions.SEARCH_BACKEND)).isEqualTo(SearchBackend.LUCENE);
        assertThat(c.get(JobOptions.MODEL_CAPTION_CHECKPOINT)).isNull();
        assertThat(c.getOptional(JobOptions.MODEL_CAPTION_CHECKPOINT)).isEmpty();
        assertThat(c.isSet(JobOptions.TOPIC_INPUT)).isFalse();
    }

    @Test
    void parsesBothArgumentFormsAndTypes() {
        JobConfig c = JobConfig.fromArgs("--kafka.bootstrap-servers", "broker:9093", "--checkpoint.interval=2s",
                "--search.backend", "OpenSearch", "--fetch.allowed-roots", "/data/a;/data/b",
                "--fetch.max-bytes", "2mb");
        assertThat(c.get(JobOptions.KAFKA_BOOTSTRAP_SERVERS)).isEqualTo("broker:9093");
        assertThat(c.get(JobOptions.CHECKPOINT_INTERVAL)).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.get(JobOptions.SEARCH_BACKEND)).isEqualTo(SearchBackend.OPENSEARCH);
        assertThat(c.get(FetchOptions.ALLOWED_ROOTS)).containsExactly("/data/a", "/data/b");
        assertThat(c.get(FetchOptions.MAX_BYTES).getBytes()).isEqualTo(2L * 1024 * 1024);
    }

    @Test
    void aLoneBooleanFlagMeansTrue() {
        JobConfig c = JobConfig.fromArgs("--local.ask-questions", "--job.name", "x");
        assertThat(c.get(LocalRunOptions.ASK_QUESTIONS)).isTrue();
        assertThat(c.get(JobOptions.JOB_NAME)).isEqualTo("x");
        assertThatThrownBy(() -> JobConfig.fromArgs("--job.name"))
                .hasMessageContaining("missing value for --job.name");
    }

    @Test
    void argumentsOverrideTheConfigFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("job.properties");
        Files.writeString(file, "# comment\ntopic.input = from-file\ntopic.captions=caps-file\n");
        JobConfig c = JobConfig.fromArgs("--config", file.toString(), "--topic.input", "from-args");
        assertThat(c.get(JobOptions.TOPIC_INPUT)).isEqualTo("from-args");
        assertThat(c.get(JobOptions.TOPIC_CAPTIONS)).isEqualTo("caps-file");
    }

    @Test
    void unknownKeysAreRejectedWithCloseMatches() {
        assertThatThrownBy(() -> JobConfig.fromArgs("--kafka.bootstrap-server", "x"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown option 'kafka.bootstrap-server'")
                .hasMessageContaining("did you mean kafka.bootstrap-servers");
        assertThatThrownBy(() -> JobConfig.fromArgs("--topic.captoins", "x"))
                .hasMessageContaining("topic.captions");
    }

    @Test
    void unknownKeysInTheFileAreRejectedToo(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("job.properties");
        Files.writeString(file, "model.devise=cpu\n");
        assertThatThrownBy(() -> JobConfig.fromArgs("--config", file.toString()))
                .hasMessageContaining("unknown option 'model.devise'")
                .hasMessageContaining("model.device");
    }

    @Test
    void badValuesFailWhenLoading() {
        assertThatThrownBy(() -> JobConfig.fromArgs("--checkpoint.interval", "soon"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("invalid value 'soon' for checkpoint.interval");
        assertThatThrownBy(() -> JobConfig.fromArgs("--search.backend", "solr"))
                .hasMessageContaining("search.backend");
        assertThatThrownBy(() -> JobConfig.fromArgs("--model.device", "tpu"))
                .hasMessageContaining("write auto, cpu or gpu:N");
        assertThatThrownBy(() -> JobConfig.fromArgs("--model.dtype", "int8"))
                .hasMessageContaining("auto, float32, float16");
        assertThatThrownBy(() -> JobConfig.fromArgs("--checkpoint.interval", "2min", "--kafka.transaction-timeout", "1min"))
                .hasMessageContaining("must be longer than checkpoint.interval");
    }

    @Test
    void operatorOptionsAreKnownAndValidated() {
        JobConfig c = JobConfig.fromArgs("--inference.max-batch-size", "4", "--chat.history.ttl", "5min");
        assertThat(c.get(io.vlmtagger.operators.stage.InferenceOptions.MAX_BATCH_SIZE)).isEqualTo(4);
        assertThatThrownBy(() -> JobConfig.fromArgs("--inference.max-batch-size", "100", "--inference.capacity", "10"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("inference.capacity");
    }

    @Test
    void missingConfigFileIsNamed() {
        assertThatThrownBy(() -> JobConfig.fromArgs("--config", "/nope/job.properties"))
                .hasMessageContaining("/nope/job.properties");
    }

    @Test
    void positionalArgumentsAreRejected() {
        assertThatThrownBy(() -> JobConfig.fromArgs("images"))
                .hasMessageContaining("unexpected argument 'images'");
    }

    @Test
    void localAliasesMapToOptionKeys() {
        JobConfig c = JobConfig.fromArgs(new String[] {"--blip2", "/ckpt/blip2", "--device=gpu:1", "--images", "/pics"},
                JobConfig.LOCAL_ALIASES);
        assertThat(c.get(JobOptions.MODEL_CAPTION_CHECKPOINT)).isEqualTo("/ckpt/blip2");
        assertThat(c.get(JobOptions.MODEL_DEVICE)).isEqualTo("gpu:1");
        assertThat(c.get(LocalRunOptions.IMAGES_DIR)).isEqualTo("/pics");
        // without the aliases the short flags are not options
        assertThatThrownBy(() -> JobConfig.fromArgs("--blip2", "/x")).hasMessageContaining("unknown option 'blip2'");
    }

    @Test
    void withReturnsACopy() {
        JobConfig a = JobConfig.defaults();
        JobConfig b = a.with(FetchOptions.ALLOWED_HOSTS, List.of("example.org", "cdn.example.org"));
        assertThat(a.isSet(FetchOptions.ALLOWED_HOSTS)).isFalse();
        assertThat(b.get(FetchOptions.ALLOWED_HOSTS)).containsExactly("example.org", "cdn.example.org");
        JobConfig d = b.with(JobOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(500));
        assertThat(d.get(JobOptions.CHECKPOINT_INTERVAL)).isEqualTo(Duration.ofMillis(500));
        assertThat(JobConfig.fromMap(d.toMap()).get(JobOptions.CHECKPOINT_INTERVAL)).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void everyOptionHasADescriptionAndAUniqueKey() {
        Map<String, OptionsRegistry.Entry> entries = OptionsRegistry.entries();
        assertThat(entries).isNotEmpty();
        for (OptionsRegistry.Entry e : entries.values()) {
            assertThat(OptionsDocs.description(e.option())).as(e.key()).isNotBlank();
            assertThat(e.key()).as("hierarchical key").contains(".");
        }
    }
}
