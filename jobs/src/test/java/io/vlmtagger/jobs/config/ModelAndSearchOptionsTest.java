package io.vlmtagger.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ModelAndSearchOptionsTest {

    @Test
    void dtypeDefaultsToAutoAndRefusesBfloat16WithTheReason() {
        assertThat(JobConfig.defaults().get(JobOptions.MODEL_DTYPE)).isEqualTo("auto");
        assertThat(JobConfig.fromArgs("--model.dtype", "float16").get(JobOptions.MODEL_DTYPE)).isEqualTo("float16");
        assertThatThrownBy(() -> JobConfig.fromArgs("--model.dtype", "bfloat16"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("aborts the JVM on bfloat16")
                .hasMessageContaining("float16");
        assertThatThrownBy(() -> JobConfig.fromArgs("--model.dtype", "int8"))
                .hasMessageContaining("write one of auto, float32, float16");
    }

    @Test
    void basicAuthNeedsUserAndPasswordTogether() {
        assertThatThrownBy(() -> JobConfig.fromArgs("--search.opensearch.username", "tagger"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("search.opensearch.password");
        JobConfig c = JobConfig.fromArgs("--search.opensearch.username", "tagger",
                "--search.opensearch.password", "s3cret-pw");
        assertThat(c.get(JobOptions.SEARCH_OPENSEARCH_USERNAME)).isEqualTo("tagger");
    }

    @Test
    void passwordsNeverAppearInTheConfigsText() {
        JobConfig c = JobConfig.fromArgs("--search.opensearch.username", "tagger",
                "--search.opensearch.password", "s3cret-pw",
                "--search.opensearch.truststore.password", "store-pw");
        assertThat(c.toString()).contains("tagger").doesNotContain("s3cret-pw").doesNotContain("store-pw");
    }

    @Test
    void captionDedupIsOffByDefaultAndChecked() {
        assertThat(JobConfig.defaults().get(JobOptions.CAPTION_DEDUP_CACHE_ENTRIES)).isEqualTo(-1);
        assertThat(JobConfig.fromArgs("--caption.dedup.cache-entries", "0").get(JobOptions.CAPTION_DEDUP_CACHE_ENTRIES)).isZero();
        assertThatThrownBy(() -> JobConfig.fromArgs("--caption.dedup.cache-entries", "-5"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("-1 (off), 0 (in-flight only)");
    }
}
