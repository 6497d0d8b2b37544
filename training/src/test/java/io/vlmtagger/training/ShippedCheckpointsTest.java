package io.vlmtagger.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.vlmtagger.training.dataset.CaptionGrammar;
import io.vlmtagger.training.dataset.ImageFormat;
import io.vlmtagger.training.dataset.ShapesDataset;
import io.vlmtagger.models.pipeline.Blip2Captioner;
import io.vlmtagger.models.pipeline.LlavaChatModel;
import io.vlmtagger.checkpoints.ShippedCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The checkpoints shipped in the checkpoints artifact ({@code checkpoints/tiny-blip2-shapes}, {@code
 * checkpoints/tiny-llava-shapes}) on a held-out set (seed 3: neither a training seed nor the
 * evaluation command's), loaded through the public serving classes, images given as PNG/JPEG
 * bytes, greedy decoding.
 *
 * <p>Both must reach the issue's bar on this smaller held-out set: 95% caption exact match (PNG
 * and JPEG bytes) and 95% question answering; the attribute and per-type figures are checked too,
 * so that a regression names what broke.
 */
class ShippedCheckpointsTest {
    private static final long TEST_SEED = 3;

    @Test
    void shippedCaptionerReachesTheIssueThresholds() throws Exception {
        CaptionScores png = captions(ImageFormat.PNG, 96);
        assertThat(png.exactMatch()).as(png + " " + png.mistakes()).isGreaterThanOrEqualTo(0.95);
        assertThat(png.countAccuracy()).as(png.toString()).isGreaterThanOrEqualTo(0.95);
        assertThat(png.sizeAccuracy()).as(png.toString()).isGreaterThanOrEqualTo(0.95);
        assertThat(png.colorAccuracy()).as(png.toString()).isGreaterThanOrEqualTo(0.95);
        assertThat(png.shapeAccuracy()).as(png.toString()).isGreaterThanOrEqualTo(0.95);
        CaptionScores jpeg = captions(ImageFormat.JPEG, 32);
        assertThat(jpeg.exactMatch()).as(jpeg + " " + jpeg.mistakes()).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void shippedChatModelReachesTheIssueThreshold() throws Exception {
        QaScores scores = answers(60);
        assertThat(scores.questions()).isEqualTo(120);
        assertThat(scores.accuracy()).as(scores + " " + scores.mistakes()).isGreaterThanOrEqualTo(0.95);
        for (String type : CaptionGrammar.QUESTION_TYPES) {
            // about 24 questions of each type: a type the model cannot answer shows here by name
            assertThat(scores.accuracy(type)).as(type + ": " + scores).isGreaterThanOrEqualTo(0.85);
        }
    }

    private static CaptionScores captions(ImageFormat format, int count) throws Exception {
        ShapesDataset data = ShapesDataset.builder().setSeed(TEST_SEED).build();
        try (Blip2Captioner model = Blip2Captioner.builder().setCheckpoint(shipped(ShippedCheckpoint.BLIP2_SHAPES)).build()) {
            return HeldOutEvaluation.captions(model, data, count, format, 32);
        }
    }

    private static QaScores answers(int images) throws Exception {
        ShapesDataset data = ShapesDataset.builder().setSeed(TEST_SEED + 1000).build();
        try (LlavaChatModel model = LlavaChatModel.builder().setCheckpoint(shipped(ShippedCheckpoint.LLAVA_SHAPES)).build()) {
            return HeldOutEvaluation.answers(model, data, images, 2, ImageFormat.PNG, 40);
        }
    }

    private static Path shipped(ShippedCheckpoint checkpoint) throws IOException {
        Path dir = checkpoint.copyTo(Files.createTempDirectory("shipped"));
        assertThat(dir.resolve("model.safetensors")).isRegularFile();
        return dir;
    }
}
