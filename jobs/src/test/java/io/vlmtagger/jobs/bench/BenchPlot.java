package io.vlmtagger.jobs.bench;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The report's figure, drawn with Java2D: images/s of the raw batched model, the pipeline, the
 * naive job and the model alone at batch 1 (bars), and the produce-to-visible latency CDFs of P6
 * with the model and with the no-op model.
 */
final class BenchPlot {
    private static final int W = 1200;
    private static final int H = 420;
    private static final Color[] BARS = {new Color(0x4C72B0), new Color(0x55A868), new Color(0xC44E52),
        new Color(0x8172B2)};

    private BenchPlot() {}

    static void write(BenchReport r, Path file) throws IOException {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        bars(g, 20, r);
        cdf(g, 420, "P6 latency CDF, BLIP-2 small at 50% load", r.latencyModelMs, BARS[1]);
        cdf(g, 820, "P6 latency CDF, no-op model at 50% load", r.latencyNoopMs, BARS[0]);
        g.dispose();
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        ImageIO.write(img, "png", file.toFile());
    }

    private static void bars(Graphics2D g, int x0, BenchReport r) {
        boolean batch1 = r.rawBatch1 != null;
        String[] names = batch1 ? new String[] {"raw model", "pipeline", "naive map()", "raw batch 1"}
                : new String[] {"raw model", "pipeline", "naive map()"};
        BenchReport.Rate[] rates = batch1 ? new BenchReport.Rate[] {r.raw, r.pipeline, r.naive, r.rawBatch1}
                : new BenchReport.Rate[] {r.raw, r.pipeline, r.naive};
        int step = batch1 ? 82 : 108;
        int barWidth = batch1 ? 32 : 38;
        double max = 0;
        for (BenchReport.Rate v : rates) {
            max = Math.max(max, Math.max(v.wall(), v.perCpu()));
        }
        int left = x0 + 40;
        int bottom = H - 60;
        int top = 60;
        title(g, x0, String.format(Locale.ROOT, "Images/s; P1 %.2f (per CPU %.2f), P2 %.2fx (%.2fx)",
                r.p1().wall(), r.p1().perCpu(), r.p2().wall(), r.p2().perCpu()));
        axes(g, left, top, bottom, x0 + 370);
        for (int i = 0; i < rates.length; i++) {
            int x = left + 10 + i * step;
            double[] pair = {rates[i].wall(), rates[i].perCpu()};
            for (int k = 0; k < 2; k++) {
                int h = max <= 0 ? 0 : (int) ((bottom - top) * pair[k] / (max * 1.15));
                g.setColor(k == 0 ? BARS[i] : BARS[i].brighter().brighter());
                g.fillRect(x + k * (barWidth + 3), bottom - h, barWidth, h);
                g.setColor(Color.BLACK);
                g.drawString(String.format(Locale.ROOT, "%.2f", pair[k]), x + k * (barWidth + 3), bottom - h - 6);
            }
            g.drawString(names[i], x + 2, bottom + 18);
        }
        g.drawString("dark: per wall-clock second, light: per CPU-second / cores", left, bottom + 40);
    }

    private static void cdf(Graphics2D g, int x0, String title, double[] sortedMs, Color color) {
        int left = x0 + 50;
        int right = x0 + 370;
        int bottom = H - 60;
        int top = 60;
        title(g, x0, title);
        axes(g, left, top, bottom, right);
        if (sortedMs.length == 0) {
            return;
        }
        double max = sortedMs[sortedMs.length - 1] * 1.05;
        g.setColor(color);
        g.setStroke(new BasicStroke(2f));
        int px = left;
        int py = bottom;
        for (int i = 0; i < sortedMs.length; i++) {
            int x = left + (int) ((right - left) * sortedMs[i] / max);
            int y = bottom - (int) ((bottom - top) * (i + 1.0) / sortedMs.length);
            g.drawLine(px, py, x, py);
            g.drawLine(x, py, x, y);
            px = x;
            py = y;
        }
        g.setStroke(new BasicStroke(1f));
        g.setColor(Color.BLACK);
        g.drawString("0", left - 4, bottom + 16);
        g.drawString(String.format(Locale.ROOT, "%.0f ms", max), right - 50, bottom + 16);
        g.drawString("1.0", left - 30, top + 5);
        g.drawString(String.format(Locale.ROOT, "p50 %.0f ms  p99 %.0f ms  (n=%d)", BenchReport.percentile(sortedMs, 50),
                BenchReport.percentile(sortedMs, 99), sortedMs.length), left + 10, bottom + 36);
    }

    private static void title(Graphics2D g, int x0, String text) {
        g.setColor(Color.BLACK);
        g.setFont(g.getFont().deriveFont(Font.BOLD));
        g.drawString(text, x0 + 10, 30);
        g.setFont(g.getFont().deriveFont(Font.PLAIN));
    }

    private static void axes(Graphics2D g, int left, int top, int bottom, int right) {
        g.setColor(Color.GRAY);
        g.drawLine(left, top, left, bottom);
        g.drawLine(left, bottom, right, bottom);
    }
}
