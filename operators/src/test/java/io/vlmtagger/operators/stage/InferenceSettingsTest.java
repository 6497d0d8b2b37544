package io.vlmtagger.operators.stage;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InferenceSettingsTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        InferenceSettings s = InferenceSettings.defaults();
        assertThat(s.maxBatchSize()).isEqualTo(8);
        assertThat(s.maxBatchWait()).isEqualTo(Duration.ofMillis(20));
        assertThat(s.maxAttempts()).isEqualTo(3);
        assertThat(s.devices()).isEmpty();
        assertThat(s.captionPrompt()).isNull();
        assertThat(s.chatHistoryMaxTurns()).isEqualTo(8);
    }

    @Test
    void readsTheJobConfiguration() {
        Configuration c = new Configuration();
        c.setString("inference.max-batch-size", "16");
        c.setString("inference.max-batch-wait", "50 ms");
        c.setString("inference.max-preprocess-wait", "200 ms");
        c.setString("inference.timeout", "10 s");
        c.setString("inference.max-attempts", "2");
        c.setString("inference.devices", "gpu:0;gpu:1");
        c.setString("caption.prompt", "a photo of");
        c.setString("chat.history.ttl", "5 min");
        InferenceSettings s = InferenceSettings.fromConfig(c);
        assertThat(s.maxBatchSize()).isEqualTo(16);
        assertThat(s.maxBatchWait()).isEqualTo(Duration.ofMillis(50));
        assertThat(s.maxPreprocessWait()).isEqualTo(Duration.ofMillis(200));
        assertThat(s.devices()).containsExactly("gpu:0", "gpu:1");
        assertThat(s.captionPrompt()).isEqualTo("a photo of");
        assertThat(s.chatHistoryTtl()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.operatorTimeout()).as("(10 s + 50 ms + 200 ms + 1 s) x 2 attempts")
                .isEqualTo(Duration.ofMillis(22_500));
    }

    @Test
    void invalidValuesNameTheKey() {
        assertThatThrownBy(() -> InferenceSettings.builder().optMaxBatchSize(16).optCapacity(8).build())
                .hasMessageContaining("inference.capacity (8) must be >= inference.max-batch-size (16)");
        assertThatThrownBy(() -> InferenceSettings.builder().optMaxAttempts(0).build())
                .hasMessageContaining("inference.max-attempts");
        assertThatThrownBy(() -> InferenceSettings.builder().optTimeout(Duration.ZERO).build())
                .hasMessageContaining("inference.timeout");
        assertThatThrownBy(() -> InferenceSettings.builder().optDevices(List.of("gpu:0")).optChatHistoryTtl(Duration.ZERO).build())
                .hasMessageContaining("chat.history.ttl");
    }
}
