package io.vlmtagger.operators.testutils;

import io.vlmtagger.models.api.ExemplarFeatures;
import io.vlmtagger.models.api.FewShotAnswer;
import io.vlmtagger.models.api.FewShotQuery;
import io.vlmtagger.models.api.FewShotTagger;
import io.vlmtagger.models.api.ImageDecodeException;
import io.vlmtagger.models.api.LabeledExample;
import io.vlmtagger.models.api.ModelInfo;
import io.vlmtagger.models.api.PixelValues;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;

/**
 * A stand-in few-shot model for pipeline tests: answers the tags of the exemplar whose mean RGB is
 * nearest to the query's (pixel distance), so the answer depends on the exemplars it is given.
 * Records the devices it was opened on, the sizes of the batches it tagged and the exemplar sets
 * it prepared; {@link #hold} makes its batches wait until {@link #release}.
 */
public final class NearestExemplarTagger implements FewShotTagger {
    public static final ModelInfo INFO = new ModelInfo("nearest-exemplar", "test", "cpu", "float32");

    private final List<String> devices = Collections.synchronizedList(new ArrayList<>());
    private final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger prepared = new AtomicInteger();
    private final AtomicInteger openHandles = new AtomicInteger();
    private volatile CountDownLatch held = new CountDownLatch(0);

    /** A handle on {@code device} (the provider's acquire); closing it gives it back. */
    public NearestExemplarTagger open(String device) {
        devices.add(device);
        openHandles.incrementAndGet();
        return this;
    }

    public List<String> devices() {
        return List.copyOf(devices);
    }

    public List<Integer> batchSizes() {
        return List.copyOf(batchSizes);
    }

    /** Exemplar sets prepared so far. */
    public int prepared() {
        return prepared.get();
    }

    public int openHandles() {
        return openHandles.get();
    }

    /** Batches from now on wait until {@link #release}. */
    public void hold() {
        held = new CountDownLatch(1);
    }

    public void release() {
        held.countDown();
    }

    /** Exemplars as their mean colours and labels. */
    record MeanColours(List<double[]> means, List<List<String>> labels) implements ExemplarFeatures {
        @Override
        public int count() {
            return means.size();
        }

        @Override
        public long sizeBytes() {
            return 64L * means.size();
        }
    }

    @Override
    public ExemplarFeatures prepare(List<LabeledExample> examples) throws ImageDecodeException {
        prepared.incrementAndGet();
        List<double[]> means = new ArrayList<>();
        List<List<String>> labels = new ArrayList<>();
        for (LabeledExample e : examples) {
            means.add(meanRgb(e.image()));
            labels.add(e.tags().isEmpty() ? List.of(e.caption()) : e.tags());
        }
        return new MeanColours(means, labels);
    }

    /** The query as a 3x1x1 "image" of its mean colour. */
    @Override
    public PixelValues preprocess(byte[] encodedImage) throws ImageDecodeException {
        double[] m = meanRgb(encodedImage);
        return new PixelValues(new float[] {(float) m[0], (float) m[1], (float) m[2]}, 3, 1, 1);
    }

    @Override
    public List<FewShotAnswer> tag(List<FewShotQuery> queries) {
        try {
            held.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while held", e);
        }
        batchSizes.add(queries.size());
        List<FewShotAnswer> out = new ArrayList<>();
        for (FewShotQuery query : queries) {
            MeanColours set = (MeanColours) query.exemplars();
            float[] q = query.image().chw();
            List<String> best = null;
            double bestDistance = Double.MAX_VALUE;
            for (int i = 0; i < set.count(); i++) {
                double[] m = set.means().get(i);
                double d = Math.pow(m[0] - q[0], 2) + Math.pow(m[1] - q[1], 2) + Math.pow(m[2] - q[2], 2);
                if (d < bestDistance) {
                    bestDistance = d;
                    best = set.labels().get(i);
                }
            }
            out.add(new FewShotAnswer(best, String.join(", ", best), 1.0));
        }
        return out;
    }

    @Override
    public ModelInfo info() {
        return INFO;
    }

    @Override
    public void close() {
        openHandles.decrementAndGet();
    }

    /** A PNG of {@code size x size} pixels of one colour. */
    public static byte[] solidPng(int rgb, int size) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ImageIO.write(image, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double[] meanRgb(byte[] bytes) throws ImageDecodeException {
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            image = null;
        }
        if (image == null) {
            throw new ImageDecodeException(ImageDecodeException.Reason.CORRUPT, "not an image");
        }
        double[] sum = new double[3];
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int p = image.getRGB(x, y);
                sum[0] += (p >> 16) & 0xff;
                sum[1] += (p >> 8) & 0xff;
                sum[2] += p & 0xff;
            }
        }
        double n = (double) image.getWidth() * image.getHeight();
        return new double[] {sum[0] / n, sum[1] / n, sum[2] / n};
    }
}
