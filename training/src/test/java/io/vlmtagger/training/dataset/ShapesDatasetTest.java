package io.vlmtagger.training.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShapesDatasetTest {
    private final ShapesDataset data = ShapesDataset.builder().setSeed(7).build();

    @Test
    void sameSeedAndIndexGiveTheSameSceneAndPixels() {
        ShapesDataset again = ShapesDataset.builder().setSeed(7).build();
        for (int i : new int[] {0, 5, 123}) {
            assertThat(again.scene(i)).isEqualTo(data.scene(i));
            assertThat(pixels(again.render(again.scene(i)))).isEqualTo(pixels(data.render(data.scene(i))));
        }
    }

    @Test
    void otherSeedsGiveOtherScenes() {
        ShapesDataset other = ShapesDataset.builder().setSeed(8).build();
        int differentCaptions = 0;
        for (int i = 0; i < 50; i++) {
            differentCaptions += other.scene(i).caption().equals(data.scene(i).caption()) ? 0 : 1;
        }
        assertThat(differentCaptions).isGreaterThan(40);
    }

    @Test
    void scenesHoldOneToThreeDistinctShapesLeftToRight() {
        Set<Integer> counts = new HashSet<>();
        for (Scene scene : data.scenes(300)) {
            List<SceneObject> objects = scene.objects();
            counts.add(objects.size());
            assertThat(objects.stream().map(SceneObject::kind).distinct().count()).isEqualTo(objects.size());
            assertThat(objects.stream().map(SceneObject::color).distinct().count()).isEqualTo(objects.size());
            for (int i = 1; i < objects.size(); i++) {
                assertThat(objects.get(i).column()).isGreaterThan(objects.get(i - 1).column());
                assertThat(objects.get(i).cx()).isGreaterThan(objects.get(i - 1).cx());
            }
            double cell = data.imageSize() / (double) ShapesDataset.COLUMNS;
            for (SceneObject o : objects) {
                // each shape lies inside its own grid cell (one 32-pixel patch of the tiny checkpoints)
                assertThat(o.cx() - o.radius()).isGreaterThanOrEqualTo(o.column() * cell);
                assertThat(o.cx() + o.radius()).isLessThanOrEqualTo((o.column() + 1) * cell);
                assertThat(o.cy() - o.radius()).isGreaterThanOrEqualTo(o.row() * cell);
                assertThat(o.cy() + o.radius()).isLessThanOrEqualTo((o.row() + 1) * cell);
                assertThat(o.row()).isBetween(0, ShapesDataset.ROWS - 1);
            }
        }
        assertThat(counts).containsExactlyInAnyOrder(1, 2, 3);
    }

    @Test
    void captionNamesEveryShapeInOrderWithTheGrammar() {
        for (Scene scene : data.scenes(100)) {
            String caption = scene.caption();
            List<String[]> parsed = CaptionGrammar.parse(caption);
            assertThat(parsed).hasSize(scene.objects().size());
            for (int i = 0; i < parsed.size(); i++) {
                SceneObject o = scene.objects().get(i);
                assertThat(parsed.get(i)).containsExactly(o.sizeWord(), o.color().word(), o.kind().word());
            }
            for (String word : caption.replace(",", " ,").split(" ")) {
                assertThat(CaptionGrammar.vocabulary()).contains(word);
            }
        }
        Scene three = data.scenes(100).stream().filter(s -> s.objects().size() == 3).findFirst().orElseThrow();
        assertThat(three.caption()).matches("a \\w+ \\w+ \\w+, a \\w+ \\w+ \\w+ and a \\w+ \\w+ \\w+");
    }

    @Test
    void renderedShapeCentresHaveTheirColour() {
        for (Scene scene : data.scenes(40)) {
            BufferedImage image = data.render(scene);
            for (SceneObject o : scene.objects()) {
                int rgb = image.getRGB((int) Math.round(o.cx()), (int) Math.round(o.cy()));
                int expected = o.color().rgb();
                for (int shift : new int[] {16, 8, 0}) {
                    int got = (rgb >> shift) & 0xFF;
                    int want = (expected >> shift) & 0xFF;
                    assertThat(Math.abs(got - want)).as("%s at centre of %s", Integer.toHexString(rgb), o)
                            .isLessThan(45);
                }
            }
        }
    }

    @Test
    void answersAreTrueOfTheScene() {
        Random random = new Random(3);
        int yes = 0;
        int no = 0;
        for (Scene scene : data.scenes(200)) {
            for (QaPair qa : CaptionGrammar.questions(scene, random)) {
                switch (qa.type()) {
                    case "count" -> assertThat(qa.answer())
                            .isEqualTo(List.of("one", "two", "three").get(scene.objects().size() - 1));
                    case "color" -> {
                        ShapeKind kind = kindIn(qa.question());
                        assertThat(qa.answer()).isEqualTo(scene.find(kind).orElseThrow().color().word());
                    }
                    case "size" -> assertThat(qa.answer())
                            .isEqualTo(scene.find(kindIn(qa.question())).orElseThrow().sizeWord());
                    case "exists" -> {
                        boolean present = scene.find(kindIn(qa.question())).isPresent();
                        assertThat(qa.answer()).isEqualTo(present ? "yes" : "no");
                        yes += present ? 1 : 0;
                        no += present ? 0 : 1;
                    }
                    case "shape" -> {
                        ShapeColor color = List.of(ShapeColor.values()).stream()
                                .filter(c -> qa.question().contains(" " + c.word() + " ")).findFirst().orElseThrow();
                        assertThat(qa.answer()).isEqualTo(scene.find(color).orElseThrow().kind().word());
                    }
                    default -> throw new AssertionError(qa.type());
                }
            }
        }
        assertThat(yes).isGreaterThan(50);
        assertThat(no).isGreaterThan(50);
    }

    @Test
    void writesPngAndJpegFilesWithAManifest(@TempDir Path dir) throws IOException {
        GenerateDataset.write(data, 3, ImageFormat.PNG, dir.resolve("png"));
        GenerateDataset.write(data, 2, ImageFormat.JPEG, dir.resolve("jpeg"));
        BufferedImage png = ImageIO.read(dir.resolve("png/images/00001.png").toFile());
        assertThat(pixels(png)).isEqualTo(pixels(data.render(data.scene(1)))); // lossless
        byte[] jpeg = Files.readAllBytes(dir.resolve("jpeg/images/00001.jpg"));
        assertThat(jpeg[0] & 0xFF).isEqualTo(0xFF);
        assertThat(jpeg[1] & 0xFF).isEqualTo(0xD8);
        assertThat(ImageIO.read(new ByteArrayInputStream(jpeg)).getWidth()).isEqualTo(ShapesDataset.DEFAULT_IMAGE_SIZE);
        List<String> lines = Files.readAllLines(dir.resolve("png/manifest.jsonl"));
        assertThat(lines).hasSize(3);
        assertThat(lines.get(2)).contains("\"caption\":\"" + data.scene(2).caption() + "\"")
                .contains("\"file\":\"images/00002.png\"").contains("how many shapes are there?");
    }

    @Test
    void builderSaysWhatToFix() {
        assertThatThrownBy(() -> ShapesDataset.builder().build()).hasMessageContaining("setSeed");
        assertThatThrownBy(() -> ShapesDataset.builder().setSeed(1).optMaxObjects(4).build())
                .hasMessageContaining("optMaxObjects must be 1 to 3");
    }

    private static ShapeKind kindIn(String question) {
        return List.of(ShapeKind.values()).stream().filter(k -> question.contains(k.word() + "?"))
                .findFirst().orElseThrow();
    }

    private static int[] pixels(BufferedImage image) {
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }
}
