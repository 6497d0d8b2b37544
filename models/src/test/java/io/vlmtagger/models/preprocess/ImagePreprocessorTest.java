package io.vlmtagger.models.preprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmtagger.models.api.CheckpointException;
import io.vlmtagger.models.api.PixelValues;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagePreprocessorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    // As in Salesforce/blip2-opt-2.7b/preprocessor_config.json (size shrunk for the test).
    private static final String BLIP2 = "{\"do_convert_rgb\": true, \"do_normalize\": true, \"do_rescale\": true,"
            + " \"do_resize\": true, \"image_mean\": [0.48145466, 0.4578275, 0.40821073],"
            + " \"image_processor_type\": \"BlipImageProcessor\", \"image_std\": [0.26862954, 0.26130258, 0.27577711],"
            + " \"processor_class\": \"Blip2Processor\", \"resample\": 3, \"rescale_factor\": 0.00392156862745098,"
            + " \"size\": {\"height\": 8, \"width\": 12}}";
    // As in llava-hf/llava-1.5-7b-hf/preprocessor_config.json (sizes shrunk).
    private static final String LLAVA = "{\"crop_size\": {\"height\": 6, \"width\": 6}, \"do_center_crop\": true,"
            + " \"do_convert_rgb\": true, \"do_normalize\": true, \"do_rescale\": true, \"do_resize\": true,"
            + " \"image_mean\": [0.48145466, 0.4578275, 0.40821073], \"image_processor_type\": \"CLIPImageProcessor\","
            + " \"image_std\": [0.26862954, 0.26130258, 0.27577711], \"processor_class\": \"LlavaProcessor\","
            + " \"resample\": 3, \"rescale_factor\": 0.00392156862745098, \"size\": {\"shortest_edge\": 6}}";

    @Test
    void parsesBlipAndClipConfigsWithDefaults() throws Exception {
        PreprocessorConfig blip = PreprocessorConfig.fromJson(JSON.readTree(BLIP2));
        assertThat(blip.resizeHeight()).isEqualTo(8);
        assertThat(blip.resizeWidth()).isEqualTo(12);
        assertThat(blip.doCenterCrop()).isFalse();
        assertThat(blip.resample()).isEqualTo(Resample.BICUBIC);

        PreprocessorConfig clipDefaults = PreprocessorConfig.fromJson(
                JSON.readTree("{\"image_processor_type\": \"CLIPImageProcessor\"}"));
        assertThat(clipDefaults.shortestEdge()).isEqualTo(224);
        assertThat(clipDefaults.doCenterCrop()).isTrue();
        assertThat(clipDefaults.cropHeight()).isEqualTo(224);
        assertThat(clipDefaults.imageMean()).containsExactly(PreprocessorConfig.OPENAI_CLIP_MEAN);
        assertThat(clipDefaults.rescaleFactor()).isEqualTo(1.0 / 255.0);

        PreprocessorConfig blipDefaults = PreprocessorConfig.fromJson(
                JSON.readTree("{\"image_processor_type\": \"BlipImageProcessor\", \"size\": 224}"));
        assertThat(blipDefaults.resizeHeight()).isEqualTo(224);
        assertThat(blipDefaults.resizeWidth()).isEqualTo(224);

        assertThatThrownBy(() -> PreprocessorConfig.fromJson(JSON.readTree("{\"image_processor_type\": \"Foo\"}")))
                .hasMessageContaining("unsupported image_processor_type Foo");
    }

    @Test
    void missingConfigFileNamesTheCheckpoint(@TempDir Path dir) {
        assertThatThrownBy(() -> PreprocessorConfig.fromCheckpoint(dir))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("preprocessor_config.json");
    }

    @Test
    void blipResizesToFixedSizeAndNormalises(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("preprocessor_config.json"), BLIP2);
        ImagePreprocessor pre = ImagePreprocessor.fromCheckpoint(dir);
        byte[] png = TestImages.encode(TestImages.solid(40, 30, BufferedImage.TYPE_INT_RGB, 0x804020), "png");
        PixelValues px = pre.preprocess(png);
        assertThat(px.channels()).isEqualTo(3);
        assertThat(px.height()).isEqualTo(8);
        assertThat(px.width()).isEqualTo(12);
        float[] mean = PreprocessorConfig.OPENAI_CLIP_MEAN;
        float[] std = PreprocessorConfig.OPENAI_CLIP_STD;
        int[] rgb = {0x80, 0x40, 0x20};
        for (int c = 0; c < 3; c++) {
            float expected = ((float) (rgb[c] / 255.0) - mean[c]) / std[c];
            for (int i = 0; i < 8 * 12; i++) {
                assertThat(px.chw()[c * 96 + i]).isEqualTo(expected, within(1e-6f));
            }
        }
    }

    @Test
    void clipResizesShortestEdgeThenCropsTheCentre() throws Exception {
        ImagePreprocessor pre = ImagePreprocessor.builder()
                .setConfig(PreprocessorConfig.fromJson(JSON.readTree(LLAVA)))
                .build();
        // 18 wide x 12 high: shortest edge 12 -> 6, so 9x6 (bicubic); crop 6x6 keeps columns 1..6.
        java.util.Random rnd = new java.util.Random(11);
        BufferedImage img = new BufferedImage(18, 12, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 12; y++) {
            for (int x = 0; x < 18; x++) {
                img.setRGB(x, y, rnd.nextInt(0x1000000));
            }
        }
        assertThat(pre.outputSize(18, 12)).containsExactly(6, 6);
        assertThat(pre.outputSize(12, 30)).containsExactly(6, 6);
        PixelValues px = pre.preprocess(img);
        assertThat(px.height()).isEqualTo(6);
        assertThat(px.width()).isEqualTo(6);
        RgbImage resized = PilResizer.resize(ImageDecoder.toRgb(img), 9, 6, Resample.BICUBIC);
        float[] mean = PreprocessorConfig.OPENAI_CLIP_MEAN;
        float[] std = PreprocessorConfig.OPENAI_CLIP_STD;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 6; y++) {
                for (int x = 0; x < 6; x++) {
                    float expected = ((float) (resized.get(x + 1, y, c) / 255.0) - mean[c]) / std[c];
                    assertThat(px.chw()[c * 36 + y * 6 + x]).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void centreCropPadsWithZerosWhenTheImageIsSmaller() {
        RgbImage in = TestImages.rgb(1, 1, 9, 9, 9);
        RgbImage out = ImagePreprocessor.centerCrop(in, 3, 4);
        assertThat(out.width()).isEqualTo(4);
        assertThat(out.height()).isEqualTo(3);
        // transformers pads ceil((4-1)/2) = 2 on the left, ceil((3-1)/2) = 1 on top.
        assertThat(out.get(2, 1, 0)).isEqualTo(9);
        assertThat(out.get(1, 1, 0)).isZero();
        assertThat(out.get(3, 1, 0)).isZero();
    }

    @Test
    void isThreadSafe() throws Exception {
        ImagePreprocessor pre = ImagePreprocessor.builder()
                .setConfig(PreprocessorConfig.fromJson(JSON.readTree(LLAVA)))
                .build();
        List<byte[]> images = new ArrayList<>();
        List<float[]> expected = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            BufferedImage img = new BufferedImage(20 + i, 14 + 2 * i, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    img.setRGB(x, y, (x * 13 + y * 7 + i * 31) * 0x010203 & 0xffffff);
                }
            }
            byte[] png = TestImages.encode(img, "png");
            images.add(png);
            expected.add(pre.preprocess(png).chw());
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int round = 0; round < 40; round++) {
                int i = round % images.size();
                results.add(pool.submit(() -> java.util.Arrays.equals(pre.preprocess(images.get(i)).chw(), expected.get(i))));
            }
            for (Future<Boolean> f : results) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void builderSaysWhatIsMissing() {
        assertThatThrownBy(() -> ImagePreprocessor.builder().build()).hasMessageContaining("setConfig");
    }
}
