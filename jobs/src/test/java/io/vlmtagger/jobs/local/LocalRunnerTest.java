package io.vlmtagger.jobs.local;

import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.Timings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalRunnerTest {

    @Test
    void nearestRankPercentiles() {
        List<Long> values = new ArrayList<>();
        for (long i = 100; i >= 1; i--) {
            values.add(i);
        }
        assertThat(LocalRunner.percentiles(values))
                .containsEntry("p50", 50L).containsEntry("p90", 90L).containsEntry("p99", 99L).containsEntry("max", 100L);
        assertThat(LocalRunner.percentiles(List.of(7L))).containsEntry("p50", 7L).containsEntry("p99", 7L);
        assertThat(LocalRunner.percentiles(List.of())).isEmpty();
    }

    @Test
    void sampleQueryIsTheMostFrequentTag() {
        List<OutputWatcher.Timed<EnrichedImage>> images = List.of(
                timed("a", List.of("red", "circle")), timed("b", List.of("blue", "circle")), timed("c", List.of("red", "circle")));
        assertThat(LocalRunner.mostFrequentTag(images)).isEqualTo("circle");
        assertThat(LocalRunner.mostFrequentTag(List.of())).isNull();
    }

    @Test
    void sampleImagesArePngsWithTheirTruth(@TempDir Path dir) throws Exception {
        List<LocalImages.LocalImage> a = LocalImages.samples(dir.resolve("a"), 3);
        assertThat(a).hasSize(3).allSatisfy(i -> assertThat(i.truth()).startsWith("a "));
        assertThat(a).extracting(LocalImages.LocalImage::name)
                .containsExactly("shapes-000.png", "shapes-001.png", "shapes-002.png");
        byte[] png = Files.readAllBytes(a.get(0).file());
        assertThat(png[1]).isEqualTo((byte) 'P');
        assertThat(LocalImages.samples(dir.resolve("b"), 1000)).as("as many as ship").hasSize(24);
        assertThat(LocalImages.fromFolder(dir.resolve("a"))).extracting(LocalImages.LocalImage::name)
                .containsExactly("shapes-000.png", "shapes-001.png", "shapes-002.png");
        assertThatThrownBy(() -> LocalImages.fromFolder(dir.resolve("missing"))).hasMessageContaining("missing");
    }

    @Test
    void aFolderIsSentWholeWhateverTheExtensions(@TempDir Path dir) throws Exception {
        for (String name : List.of("b.heic", "a.webp", "c.TIF", "notes.txt", "noextension", ".DS_Store")) {
            Files.write(dir.resolve(name), new byte[] {1, 2, 3});
        }
        Files.createDirectory(dir.resolve("sub"));
        assertThat(LocalImages.fromFolder(dir)).extracting(LocalImages.LocalImage::name)
                .containsExactly("a.webp", "b.heic", "c.TIF", "noextension", "notes.txt");
    }

    @Test
    void summaryTableAlignsAndCutsLongCells() {
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        SummaryPrinter.table(new java.io.PrintStream(buf, true), List.of("image", "caption"),
                List.of(List.of("a.png", "x".repeat(100)), List.of("long-name.png", "short")));
        String[] lines = buf.toString().split("\n");
        assertThat(lines).hasSize(4);
        assertThat(lines[0]).startsWith("image         | caption");
        assertThat(lines[2]).contains("...").hasSizeLessThan(90);
        assertThat(lines[3]).isEqualTo("long-name.png | short");
    }

    private static OutputWatcher.Timed<EnrichedImage> timed(String id, List<String> tags) {
        EnrichedImage e = EnrichedImage.newBuilder().setEventId(id).setEventTime(Instant.EPOCH).setSource("t")
                .setImageRef("inline:x").setImageSha256("x").setCaption("c").setTags(tags)
                .setTimings(Timings.newBuilder().setReceivedAt(Instant.EPOCH).build())
                .setAttributes(Map.of()).build();
        return new OutputWatcher.Timed<>(e, 0L);
    }
}
