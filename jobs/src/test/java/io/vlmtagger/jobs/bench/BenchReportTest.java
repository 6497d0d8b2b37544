package io.vlmtagger.jobs.bench;

import io.vlmtagger.models.runtime.EngineThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The benchmark's arithmetic: P1 as the median round, the P2 ceiling row, the plot. */
class BenchReportTest {

    private static BenchReport.Rate rate(double wall, double perCpu) {
        return new BenchReport.Rate(wall, perCpu);
    }

    @Test
    void medianTakesWallAndPerCpuEachOnItsOwn() {
        BenchReport.Rate m = BenchReport.median(List.of(rate(0.90, 1.10), rate(0.96, 0.90), rate(1.07, 0.98)));
        assertThat(m.wall()).isEqualTo(0.96);
        assertThat(m.perCpu()).isEqualTo(0.98);
        // an even count takes the upper of the two middle values
        assertThat(BenchReport.median(List.of(rate(1, 4), rate(2, 3))).wall()).isEqualTo(2);
    }

    @Test
    void p1IsTheMedianRoundOnceThereAreRounds() {
        BenchReport r = new BenchReport();
        r.pipeline = rate(1.0, 1.0);
        r.raw = rate(2.0, 2.0);
        assertThat(r.p1().wall()).isEqualTo(0.5);
        r.p1Rounds = List.of(rate(0.93, 0.95), rate(0.90, 0.99), rate(0.96, 0.97));
        assertThat(r.p1().wall()).isEqualTo(0.93);
        assertThat(r.p1().perCpu()).isEqualTo(0.97);
    }

    @Test
    void printsTheP2CeilingAndPlotsFourBars(@TempDir Path dir) throws Exception {
        BenchReport r = filled();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        r.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String table = bytes.toString(StandardCharsets.UTF_8);
        assertThat(table).contains("| P1 pipeline / raw model | 0.95 | 0.96 |", "median of 3 rounds",
                "| P2 speedup over naive map() | 2.00x |", "| P2 ceiling: raw batch 8 / raw batch 1 | 2.40x | 2.50x |");
        assertThat(r.p2().wall()).isCloseTo(2.0, within(1e-9));

        Path png = dir.resolve("plot.png");
        BenchPlot.write(r, png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(1200);
        r.rawBatch1 = null; // a run without P2's batch-1 measurement still plots its three bars
        BenchPlot.write(r, png);
        assertThat(ImageIO.read(png.toFile())).isNotNull();
    }

    @Test
    void deviceAndDtypeAreCheckedAndReported() {
        BenchReport r = filled();
        r.options = BenchOptions.parse(new String[] {"--device", "gpu:1", "--dtype", "float16"});
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        r.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("random small BLIP-2, float16 gpu:1,");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--device", "cuda"}))
                .hasMessageContaining("--device is cpu or gpu:N");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--dtype", "bfloat16"}))
                .hasMessageContaining("--dtype is float32 or float16");
    }

    private static BenchReport filled() {
        BenchReport r = new BenchReport();
        r.options = BenchOptions.parse(new String[0]);
        r.threads = new EngineThreads.Settings(2, 1, false);
        r.before = new BenchReport.Machine("1.00/1.00/1.00", 2);
        r.after = r.before;
        r.raw = rate(1.2, 1.5);
        r.rawRuns = List.of(rate(1.1, 1.4), rate(1.2, 1.5), rate(1.3, 1.6));
        r.pipeline = rate(1.0, 1.2);
        r.pipelineRuns = List.of(rate(1.0, 1.2), rate(1.0, 1.2));
        r.p1Rounds = List.of(rate(0.95, 0.96), rate(0.92, 0.90), rate(0.97, 0.99));
        r.naive = rate(0.5, 0.6);
        r.rawBatch1 = rate(0.5, 0.6);
        r.latencyModelMs = new double[] {900, 1000, 1100};
        r.latencyNoopMs = new double[] {500, 600};
        return r;
    }
}
