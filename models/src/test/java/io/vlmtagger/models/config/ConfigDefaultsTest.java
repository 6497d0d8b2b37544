package io.vlmtagger.models.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmtagger.models.api.CheckpointException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigDefaultsTest {
    @TempDir Path dir;

    private Path write(String json) throws Exception {
        Files.writeString(dir.resolve("config.json"), json);
        return dir;
    }

    @Test
    void blip2AbsentKeysTakeTransformersDefaults() throws Exception {
        Blip2Config c = Blip2Config.load(write("""
                {"model_type": "blip-2", "num_query_tokens": 8,
                 "vision_config": {"hidden_size": 64, "num_attention_heads": 4},
                 "qformer_config": {"hidden_size": 32, "num_attention_heads": 4, "encoder_hidden_size": 999},
                 "text_config": {"model_type": "opt", "hidden_size": 48, "num_attention_heads": 4}}"""));
        assertThat(c.vision().layerNormEps()).isEqualTo(1e-6);
        assertThat(c.vision().hiddenAct()).isEqualTo("gelu");
        assertThat(c.vision().qkvBias()).isTrue();
        assertThat(c.vision().patchSize()).isEqualTo(14);
        assertThat(c.qformer().layerNormEps()).isEqualTo(1e-12);
        assertThat(c.qformer().crossAttentionFrequency()).isEqualTo(2);
        assertThat(c.qformer().encoderHiddenSize()).as("follows vision hidden_size").isEqualTo(64);
        assertThat(c.text().activationFunction()).isEqualTo("relu");
        assertThat(c.text().wordEmbedProjDim()).as("defaults to hidden_size").isEqualTo(48);
        assertThat(c.text().doLayerNormBefore()).isTrue();
        assertThat(c.text().hasFinalLayerNorm()).isTrue();
        assertThat(c.text().padTokenId()).isEqualTo(1);
        assertThat(c.text().eosTokenId()).isEqualTo(2);
        assertThat(c.text().positionTableRows()).isEqualTo(2050);
        assertThat(c.numQueryTokens()).isEqualTo(8);
        assertThat(c.tieWordEmbeddings()).isTrue();
    }

    @Test
    void llavaAbsentKeysTakeTransformersDefaults() throws Exception {
        LlavaConfig c = LlavaConfig.load(write("""
                {"model_type": "llava", "image_token_index": 127,
                 "vision_config": {"hidden_size": 32, "num_attention_heads": 4, "patch_size": 4, "image_size": 32},
                 "text_config": {"model_type": "llama", "hidden_size": 32, "num_attention_heads": 4,
                                 "num_key_value_heads": 2, "rope_scaling": null}}"""));
        assertThat(c.vision().hiddenAct()).isEqualTo("quick_gelu");
        assertThat(c.vision().layerNormEps()).isEqualTo(1e-5);
        assertThat(c.vision().numPositions()).isEqualTo(65);
        assertThat(c.text().rmsNormEps()).isEqualTo(1e-6);
        assertThat(c.text().ropeTheta()).isEqualTo(10000.0);
        assertThat(c.text().kvGroups()).isEqualTo(2);
        assertThat(c.text().headDim()).isEqualTo(8);
        assertThat(c.text().hasRopeScaling()).isFalse();
        assertThat(c.text().tieWordEmbeddings()).isFalse();
        assertThat(c.visionFeatureLayer()).isEqualTo(-2);
        assertThat(c.visionFeatureSelectStrategy()).isEqualTo("default");
        assertThat(c.projectorHiddenAct()).isEqualTo("gelu");
    }

    @Test
    void llamaKvHeadsDefaultToAttentionHeads() {
        LlamaConfig c = LlamaConfig.from(ConfigReader.of(new ObjectMapper().createObjectNode(), "test"));
        assertThat(c.numKeyValueHeads()).isEqualTo(32);
        assertThat(c.headDim()).isEqualTo(128);
    }

    @Test
    void wrongModelTypeAndBadHeadsFailNamingTheConfig() throws Exception {
        assertThatThrownBy(() -> Blip2Config.load(write("{\"model_type\": \"llava\"}")))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("'llava'");
        assertThatThrownBy(() -> Blip2Config.load(write("""
                {"model_type": "blip-2", "text_config": {"model_type": "t5"}}""")))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("'t5'").hasMessageContaining("text_config");
        assertThatThrownBy(() -> Blip2Config.load(write("""
                {"model_type": "blip-2", "vision_config": {"hidden_size": 30, "num_attention_heads": 4}}""")))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("vision_config").hasMessageContaining("hidden_size=30");
    }
}
