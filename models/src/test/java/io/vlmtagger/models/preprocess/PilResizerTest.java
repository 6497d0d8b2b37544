package io.vlmtagger.models.preprocess;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PilResizerTest {

    @ParameterizedTest
    @EnumSource(Resample.class)
    void constantImageStaysConstant(Resample filter) {
        byte[] px = new byte[37 * 23 * 3];
        for (int i = 0; i < px.length; i += 3) {
            px[i] = (byte) 200;
            px[i + 1] = 17;
            px[i + 2] = (byte) 128;
        }
        RgbImage out = PilResizer.resize(new RgbImage(px, 37, 23), 11, 41, filter);
        assertThat(out.width()).isEqualTo(11);
        assertThat(out.height()).isEqualTo(41);
        for (int y = 0; y < 41; y++) {
            for (int x = 0; x < 11; x++) {
                assertThat(new int[] {out.get(x, y, 0), out.get(x, y, 1), out.get(x, y, 2)})
                        .containsExactly(200, 17, 128);
            }
        }
    }

    @Test
    void bicubicDownscaleMatchesHandComputedPillowValue() {
        // 4x1 [0,255,0,255] -> 2x1. Output 0: centre 1.0, support 4 (2 * filter scale 2), taps at
        // -0.25, 0.25, 0.75, 1.25 -> weights .8671875 .8671875 .2265625 -.0703125 (sum 1.890625);
        // 255 * (.8671875 - .0703125) / 1.890625 = 107.48 -> 107.
        RgbImage in = TestImages.rgb(4, 1, 0, 0, 0, 255, 255, 255, 0, 0, 0, 255, 255, 255);
        RgbImage out = PilResizer.resize(in, 2, 1, Resample.BICUBIC);
        assertThat(out.get(0, 0, 0)).isEqualTo(107);
        // Output 1: centre 3.0, taps at -1.25 -0.75 -0.25 0.25 on values 0 255 0 255:
        // 255 * (.2265625 + .8671875) / 1.890625 = 147.52 -> 148.
        assertThat(out.get(1, 0, 0)).isEqualTo(148);
    }

    @ParameterizedTest
    @EnumSource(value = Resample.class, names = {"BICUBIC", "BILINEAR", "LANCZOS", "HAMMING", "BOX"})
    void agreesWithAFloatingPointReferenceWithinOneLevel(Resample filter) {
        Random rnd = new Random(7);
        int w = 29;
        int h = 17;
        byte[] px = new byte[w * h * 3];
        rnd.nextBytes(px);
        RgbImage in = new RgbImage(px, w, h);
        for (int[] size : new int[][] {{13, 7}, {64, 40}, {29, 9}, {5, 17}}) {
            RgbImage out = PilResizer.resize(in, size[0], size[1], filter);
            double[][] horiz = reference1d(w, size[0], filter);
            double[][] vert = reference1d(h, size[1], filter);
            for (int y = 0; y < size[1]; y++) {
                for (int x = 0; x < size[0]; x++) {
                    for (int c = 0; c < 3; c++) {
                        // Horizontal pass rounded to 8 bits first, as Pillow does.
                        double acc = 0;
                        for (int sy = 0; sy < h; sy++) {
                            if (vert[y][sy] == 0 && size[1] != h) {
                                continue;
                            }
                            double row = 0;
                            for (int sx = 0; sx < w; sx++) {
                                row += horiz[x][sx] * in.get(sx, sy, c);
                            }
                            double rounded = size[0] == w ? in.get(x, sy, c) : clamp(Math.floor(row + 0.5));
                            acc += (size[1] == h ? (sy == y ? 1 : 0) : vert[y][sy]) * rounded;
                        }
                        assertThat((double) out.get(x, y, c))
                                .as("%s %dx%d pixel (%d,%d,%d)", filter, size[0], size[1], x, y, c)
                                .isCloseTo(clamp(Math.floor(acc + 0.5)), org.assertj.core.data.Offset.offset(1.0));
                    }
                }
            }
        }
    }

    @Test
    void downscalingAntialiasesACheckerboard() {
        int n = 64;
        byte[] px = new byte[n * n * 3];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                byte v = (byte) (((x + y) & 1) == 0 ? 255 : 0);
                for (int c = 0; c < 3; c++) {
                    px[(y * n + x) * 3 + c] = v;
                }
            }
        }
        RgbImage out = PilResizer.resize(new RgbImage(px, n, n), 7, 7, Resample.BICUBIC);
        for (int y = 0; y < 7; y++) {
            for (int x = 0; x < 7; x++) {
                // Without the stretched kernel a 9x reduction would sample a few pixels and give
                // values far from the mean grey.
                assertThat(out.get(x, y, 0)).isBetween(110, 145);
            }
        }
    }

    @Test
    void nearestPicksTheCentreSample() {
        RgbImage in = TestImages.rgb(4, 1, 10, 10, 10, 20, 20, 20, 30, 30, 30, 40, 40, 40);
        RgbImage out = PilResizer.resize(in, 2, 1, Resample.NEAREST);
        assertThat(out.get(0, 0, 0)).isEqualTo(20);
        assertThat(out.get(1, 0, 0)).isEqualTo(40);
    }

    /** Plain double-precision Pillow weights: weights[out][in]. */
    private static double[][] reference1d(int inSize, int outSize, Resample filter) {
        double scale = (double) inSize / outSize;
        double fs = Math.max(1.0, scale);
        double[][] wts = new double[outSize][inSize];
        for (int o = 0; o < outSize; o++) {
            double center = (o + 0.5) * scale;
            double sum = 0;
            for (int i = 0; i < inSize; i++) {
                double d = (i + 0.5 - center) / fs;
                wts[o][i] = filter.weight(d); // zero outside the kernel's support
                sum += wts[o][i];
            }
            for (int i = 0; i < inSize; i++) {
                wts[o][i] /= sum;
            }
        }
        return wts;
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(255, v));
    }
}
