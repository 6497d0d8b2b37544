package io.vlmtagger.models.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.vlmtagger.models.api.CaptionRequest;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.PixelValues;
import io.vlmtagger.models.runtime.SharedModelRegistry;
import io.vlmtagger.models.testutil.FixtureCheckpoints;
import io.vlmtagger.models.testutil.FixtureTensors;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Blip2CaptionerTest {

    static List<PixelValues> pixelRows(NDArray pixels) {
        long[] s = pixels.getShape().getShape();
        float[] all = pixels.toFloatArray();
        int per = (int) (s[1] * s[2] * s[3]);
        List<PixelValues> out = new ArrayList<>();
        for (int r = 0; r < s[0]; r++) {
            float[] chw = new float[per];
            System.arraycopy(all, r * per, chw, 0, per);
            out.add(new PixelValues(chw, (int) s[1], (int) s[2], (int) s[3]));
        }
        return out;
    }

    static byte[] png(int w, int h) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (x * 7) << 16 | (y * 5) << 8 | ((x + y) * 3 & 0xff));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    @Test
    void captionsMatchTransformersAndShareOneModel(@TempDir Path tmp) throws Exception {
        Path dir = FixtureCheckpoints.completeCheckpoint(FixtureCheckpoints.BLIP2_OPT_TINY, tmp.resolve("blip2"));
        SharedModelRegistry registry = new SharedModelRegistry();
        try (NDManager m = NDManager.newBaseManager();
                Blip2Captioner captioner = Blip2Captioner.builder().setCheckpoint(dir).optRegistry(registry).build()) {
            Map<String, NDArray> io = FixtureTensors.load(m, FixtureCheckpoints.BLIP2_OPT_TINY);
            List<PixelValues> images = pixelRows(io.get("pixel_values"));
            GenerationOptions greedy10 = GenerationOptions.greedy(10);

            long[][] expected = FixtureTensors.newTokens(io.get("generated_ids"), 1, 2);
            long[][] prompts = FixtureTensors.rows(io.get("input_ids"), io.get("attention_mask"));
            List<GenerationResult> prompted = captioner.captionIds(prompts, images, greedy10);
            long[][] expectedCaptions = FixtureTensors.newTokens(io.get("caption_generated_ids"), 1, 2);
            List<GenerationResult> captions = captioner.caption(
                    List.of(CaptionRequest.of(images.get(0)), CaptionRequest.of(images.get(1))), greedy10);
            for (int r = 0; r < 2; r++) {
                assertThat(prompted.get(r).tokenIds()).as("prompted row %d", r).containsExactly(expected[r]);
                assertThat(prompted.get(r).promptTokens()).isEqualTo(8 + prompts[r].length);
                assertThat(captions.get(r).tokenIds()).as("caption row %d", r).containsExactly(expectedCaptions[r]);
                assertThat(captions.get(r).promptTokens()).isEqualTo(8 + 1);
                assertThat(captions.get(r).text()).isNotBlank().doesNotContain("</s>");
            }

            assertThat(captioner.info().device()).isEqualTo("cpu");
            assertThat(captioner.info().dtype()).isEqualTo("float32");
            assertThat(captioner.info().name()).isEqualTo("blip2");
            assertThat(captioner.info().revision()).hasSize(12);
            try (Blip2Captioner second = Blip2Captioner.builder().setCheckpoint(dir).optRegistry(registry).build()) {
                assertThat(registry.size()).isEqualTo(1);
                assertThat(second.caption(List.of(CaptionRequest.of(images.get(1))), greedy10).get(0).tokenIds())
                        .containsExactly(expectedCaptions[1]);
            }
            assertThat(registry.size()).as("first handle still holds the model").isEqualTo(1);

            PixelValues decoded = captioner.preprocess(png(40, 24));
            assertThat(decoded.height()).isEqualTo(32);
            assertThat(decoded.width()).isEqualTo(32);
            assertThat(captioner.caption(List.of(new CaptionRequest(decoded, "a photo of")), greedy10).get(0).newTokens())
                    .isBetween(1, 10);
        }
        assertThat(registry.size()).as("last close unloads the model").isZero();
    }

    @Test
    void builderSaysWhatIsMissing(@TempDir Path tmp) {
        assertThatThrownBy(() -> Blip2Captioner.builder().build()).hasMessageContaining("setCheckpoint");
        assertThatThrownBy(() -> Blip2Captioner.builder().setCheckpoint(tmp.resolve("nope")).build())
                .hasMessageContaining("does not exist");
        Path dir = FixtureCheckpoints.completeCheckpoint(FixtureCheckpoints.BLIP2_OPT_TINY, tmp.resolve("b"));
        assertThatThrownBy(() -> Blip2Captioner.builder().setCheckpoint(dir).optDtype("int3").build())
                .hasMessageContaining("unknown dtype");
    }
}
