package io.vlmtagger.models.testutil;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Locale;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Photo-like images generated in code and written in the file formats users send: JPEG, PNG, GIF,
 * BMP, lossless WebP, TIFF (LZW, Deflate, JPEG compression, 16-bit, multi-page, CMYK) and, as
 * formats nobody here reads, HEIC and AVIF headers. Photo-like means smooth shapes under sensor
 * noise, so that a 4000x3000 JPEG is several MB as a phone's is, not the few kB of a flat drawing.
 * Deterministic for a seed; nothing is committed as a binary.
 */
public final class PhotoFiles {

    /** A file format and its variant; {@link #readable()} is false for formats no decoder here reads. */
    public enum Kind {
        JPEG("jpg"), PNG("png"), GIF("gif"), BMP("bmp"), WEBP_LOSSLESS("webp"),
        TIFF_LZW("tif"), TIFF_DEFLATE("tif"), TIFF_JPEG("tiff"), TIFF_16BIT("tif"), TIFF_MULTIPAGE("tif"), TIFF_CMYK("tif"),
        HEIC("heic"), AVIF("avif");

        private final String extension;

        Kind(String extension) {
            this.extension = extension;
        }

        public String extension() {
            return extension;
        }

        public boolean readable() {
            return this != HEIC && this != AVIF;
        }
    }

    private PhotoFiles() {}

    /**
     * A {@code width x height} RGB "photo": a sky-to-ground gradient, a few soft discs and
     * per-pixel noise of about +-{@code noise} levels (sensor grain; 0 for none).
     */
    public static BufferedImage photo(int width, int height, long seed, int noise) {
        Random rnd = new Random(seed);
        int[] top = {rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256)};
        int[] bottom = {rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256)};
        int discs = 3 + rnd.nextInt(4);
        double[][] d = new double[discs][];
        for (int i = 0; i < discs; i++) {
            d[i] = new double[] {rnd.nextDouble() * width, rnd.nextDouble() * height,
                    (0.05 + rnd.nextDouble() * 0.25) * Math.min(width, height), rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256)};
        }
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[width];
        double[][] rgb = new double[3][width];
        long state = seed * 0x9E3779B97F4A7C15L + 1;
        for (int y = 0; y < height; y++) {
            double t = height == 1 ? 0 : (double) y / (height - 1);
            for (int c = 0; c < 3; c++) {
                java.util.Arrays.fill(rgb[c], top[c] + (bottom[c] - top[c]) * t);
            }
            for (double[] disc : d) {
                double dy = y - disc[1];
                if (Math.abs(dy) >= disc[2]) {
                    continue;
                }
                double half = Math.sqrt(disc[2] * disc[2] - dy * dy);
                int from = Math.max(0, (int) Math.ceil(disc[0] - half));
                int to = Math.min(width - 1, (int) Math.floor(disc[0] + half));
                for (int x = from; x <= to; x++) {
                    double dx = x - disc[0];
                    double inside = 1 - Math.sqrt(dx * dx + dy * dy) / disc[2];
                    if (inside > 0) {
                        double a = Math.min(1, inside * 4);
                        for (int c = 0; c < 3; c++) {
                            rgb[c][x] += (disc[3 + c] - rgb[c][x]) * a;
                        }
                    }
                }
            }
            for (int x = 0; x < width; x++) {
                double r = rgb[0][x];
                double g = rgb[1][x];
                double b = rgb[2][x];
                if (noise > 0) {
                    state ^= state << 13;
                    state ^= state >>> 7;
                    state ^= state << 17;
                    r += (int) (state & 0xFF) % (2 * noise + 1) - noise;
                    g += (int) ((state >>> 8) & 0xFF) % (2 * noise + 1) - noise;
                    b += (int) ((state >>> 16) & 0xFF) % (2 * noise + 1) - noise;
                }
                row[x] = clamp(r) << 16 | clamp(g) << 8 | clamp(b);
            }
            img.setRGB(0, y, width, 1, row, 0, width);
        }
        return img;
    }

    /** {@code image} written as {@code kind} (HEIC/AVIF: a real file header followed by filler). */
    public static byte[] encode(Kind kind, BufferedImage image) {
        return switch (kind) {
            case JPEG -> write(image, "jpeg", null, 0.92f);
            case PNG -> write(image, "png", null, 0);
            case GIF -> write(image, "gif", null, 0);
            case BMP -> write(image, "bmp", null, 0);
            case WEBP_LOSSLESS -> webpLossless(image);
            case TIFF_LZW -> write(image, "tiff", "LZW", 0);
            case TIFF_DEFLATE -> write(image, "tiff", "Deflate", 0);
            case TIFF_JPEG -> write(image, "tiff", "JPEG", 0.9f);
            case TIFF_16BIT -> write(to16Bit(image), "tiff", "LZW", 0);
            case TIFF_MULTIPAGE -> tiffPages(image, photo(Math.max(1, image.getWidth() / 3), Math.max(1, image.getHeight() / 3), 99, 0));
            case TIFF_CMYK -> tiffCmyk(image);
            case HEIC -> isoBmff("heic", image);
            case AVIF -> isoBmff("avif", image);
        };
    }

    /** The same image with 16-bit samples (each 8-bit value v becomes v * 257). */
    public static BufferedImage to16Bit(BufferedImage image) {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        int w = image.getWidth();
        int h = image.getHeight();
        WritableRaster raster = cm.createCompatibleWritableRaster(w, h);
        int[] rgb = new int[w];
        int[] samples = new int[w * 3];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, rgb, 0, w);
            for (int x = 0; x < w; x++) {
                samples[x * 3] = ((rgb[x] >> 16) & 0xFF) * 257;
                samples[x * 3 + 1] = ((rgb[x] >> 8) & 0xFF) * 257;
                samples[x * 3 + 2] = (rgb[x] & 0xFF) * 257;
            }
            raster.setPixels(0, y, w, 1, samples);
        }
        return new BufferedImage(cm, raster, false, null);
    }

    /** A TIFF of several pages: {@code first} is page 0. */
    public static byte[] tiffPages(BufferedImage first, BufferedImage... more) {
        ImageWriter writer = writer("tiff");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            ImageWriteParam param = compression(writer, "LZW", 0);
            writer.prepareWriteSequence(null);
            writer.writeToSequence(new IIOImage(first, null, null), param);
            for (BufferedImage page : more) {
                writer.writeToSequence(new IIOImage(page, null, null), param);
            }
            writer.endWriteSequence();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /**
     * An uncompressed, baseline CMYK TIFF (PhotometricInterpretation 5, InkSet 1), written field
     * by field so that the file is CMYK whatever writer is installed; ink is the naive complement
     * with black extracted (K = 255 - max(R, G, B)).
     */
    public static byte[] tiffCmyk(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int pixelBytes = w * h * 4;
        short[][] tags = {
            {256, 4}, {257, 4}, {258, 3}, {259, 3}, {262, 3}, {273, 4}, {277, 3}, {278, 4}, {279, 4}, {284, 3}, {332, 3}};
        int ifdOffset = 8;
        int ifdSize = 2 + tags.length * 12 + 4;
        int bitsOffset = ifdOffset + ifdSize;
        int dataOffset = bitsOffset + 8;
        ByteBuffer buf = ByteBuffer.allocate(dataOffset + pixelBytes).order(ByteOrder.LITTLE_ENDIAN);
        buf.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(ifdOffset);
        buf.putShort((short) tags.length);
        long[] values = {w, h, bitsOffset, 1, 5, dataOffset, 4, h, pixelBytes, 1, 1};
        int[] counts = {1, 1, 4, 1, 1, 1, 1, 1, 1, 1, 1};
        for (int i = 0; i < tags.length; i++) {
            buf.putShort(tags[i][0]).putShort(tags[i][1]).putInt(counts[i]);
            if (tags[i][1] == 3 && counts[i] == 1) {
                buf.putShort((short) values[i]).putShort((short) 0);
            } else {
                buf.putInt((int) values[i]);
            }
        }
        buf.putInt(0);
        for (int i = 0; i < 4; i++) {
            buf.putShort((short) 8);
        }
        int[] rgb = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, rgb, 0, w);
            for (int x = 0; x < w; x++) {
                int r = (rgb[x] >> 16) & 0xFF;
                int g = (rgb[x] >> 8) & 0xFF;
                int b = rgb[x] & 0xFF;
                int k = 255 - Math.max(r, Math.max(g, b));
                int scale = 255 - k;
                buf.put((byte) (scale == 0 ? 0 : (scale - r) * 255 / scale));
                buf.put((byte) (scale == 0 ? 0 : (scale - g) * 255 / scale));
                buf.put((byte) (scale == 0 ? 0 : (scale - b) * 255 / scale));
                buf.put((byte) k);
            }
        }
        return buf.array();
    }

    /**
     * A lossless WebP (VP8L) of {@code image}, at most 16384 pixels a side: no transforms, no colour
     * cache, literal pixels under fixed 8-bit prefix codes (about 3 bytes a pixel, like a large
     * lossless WebP of a noisy photo). No WebP writer exists for ImageIO (TwelveMonkeys reads only).
     */
    public static byte[] webpLossless(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        if (w > 16384 || h > 16384) {
            throw new IllegalArgumentException("WebP images are at most 16384 pixels a side, got " + w + "x" + h);
        }
        BitWriter bits = new BitWriter(w * h * 3 + 1024);
        bits.put(0x2F, 8); // VP8L signature
        bits.put(w - 1, 14);
        bits.put(h - 1, 14);
        bits.put(0, 1); // alpha not used
        bits.put(0, 3); // version 0
        bits.put(0, 1); // no transform
        bits.put(0, 1); // no colour cache
        bits.put(0, 1); // no meta prefix codes
        writeEightBitCode(bits, 256 + 24); // green + length prefixes (unused)
        writeEightBitCode(bits, 256); // red
        writeEightBitCode(bits, 256); // blue
        bits.put(1, 1).put(0, 1).put(1, 1).put(255, 8); // alpha: simple code, one 8-bit symbol, 255
        bits.put(1, 1).put(0, 1).put(0, 1).put(0, 1); // distance: simple code, one 1-bit symbol, 0 (unused)
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = row[x];
                bits.putReversed((p >> 8) & 0xFF, 8); // green
                bits.putReversed((p >> 16) & 0xFF, 8); // red
                bits.putReversed(p & 0xFF, 8); // blue; alpha takes 0 bits
            }
        }
        byte[] vp8l = bits.toByteArray();
        int chunk = vp8l.length + (vp8l.length & 1);
        ByteBuffer out = ByteBuffer.allocate(20 + chunk).order(ByteOrder.LITTLE_ENDIAN);
        out.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(12 + chunk)
                .put("WEBP".getBytes(StandardCharsets.US_ASCII))
                .put("VP8L".getBytes(StandardCharsets.US_ASCII)).putInt(vp8l.length).put(vp8l);
        return out.array();
    }

    /**
     * A normal prefix code over {@code alphabet} symbols: the first 256 have length 8 (a complete
     * code in which symbol s is code s), the rest length 0. The code lengths are themselves coded
     * with a two-symbol code-length code: 0 -> bit 0, 8 -> bit 1.
     */
    private static void writeEightBitCode(BitWriter bits, int alphabet) {
        bits.put(0, 1); // normal code
        // code length code order: 17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, ...: "8" is the 12th
        bits.put(12 - 4, 4);
        int[] order = {17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8};
        for (int symbol : order) {
            bits.put(symbol == 0 || symbol == 8 ? 1 : 0, 3);
        }
        bits.put(0, 1); // max_symbol = alphabet size
        for (int s = 0; s < alphabet; s++) {
            bits.put(s < 256 ? 1 : 0, 1);
        }
    }

    /** An ISO-BMFF file header ({@code ftyp} with {@code brand}) and filler of a photo's size. */
    private static byte[] isoBmff(String brand, BufferedImage image) {
        ByteBuffer b = ByteBuffer.allocate(32 + image.getWidth() * image.getHeight() / 8);
        b.putInt(24).put("ftyp".getBytes(StandardCharsets.US_ASCII)).put(brand.getBytes(StandardCharsets.US_ASCII))
                .putInt(0).put("mif1".getBytes(StandardCharsets.US_ASCII)).put(brand.getBytes(StandardCharsets.US_ASCII));
        b.putInt(b.capacity() - 24).put("mdat".getBytes(StandardCharsets.US_ASCII));
        Random rnd = new Random(image.getWidth() * 31L + image.getHeight());
        while (b.hasRemaining()) {
            b.put((byte) rnd.nextInt(256));
        }
        return b.array();
    }

    private static byte[] write(BufferedImage image, String format, String compression, float quality) {
        ImageWriter writer = writer(format);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.write(null, new IIOImage(image, null, null), compression(writer, compression, quality));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + format + (compression == null ? "" : "/" + compression), e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /**
     * The JDK's writer for {@code format} when there is one: files written by another implementation
     * than the TwelveMonkeys readers that decode them (and the JDK's TIFF writer handles 16-bit samples).
     */
    private static ImageWriter writer(String format) {
        ImageWriter first = null;
        for (Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName(format); it.hasNext(); ) {
            ImageWriter w = it.next();
            if (w.getClass().getName().startsWith("com.sun.")) {
                if (first != null) {
                    first.dispose();
                }
                return w;
            }
            if (first == null) {
                first = w;
            } else {
                w.dispose();
            }
        }
        if (first == null) {
            throw new IllegalStateException("no ImageIO writer for " + format);
        }
        return first;
    }

    private static ImageWriteParam compression(ImageWriter writer, String type, float quality) {
        ImageWriteParam param = writer.getDefaultWriteParam();
        if (type == null && quality == 0) {
            return param;
        }
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        if (type != null) {
            String chosen = null;
            for (String t : param.getCompressionTypes()) {
                if (t != null && t.toLowerCase(Locale.ROOT).equals(type.toLowerCase(Locale.ROOT))) {
                    chosen = t;
                }
            }
            if (chosen == null) {
                throw new IllegalStateException(writer.getOriginatingProvider().getClass().getName() + " has no compression "
                        + type + ", only " + String.join(", ", param.getCompressionTypes()));
            }
            param.setCompressionType(chosen);
        }
        if (quality > 0) {
            param.setCompressionQuality(quality);
        }
        return param;
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    /** Little-endian bit packing, as VP8L reads: the first bit written is the lowest of the first byte. */
    private static final class BitWriter {
        private byte[] buf;
        private int bytes;
        private long acc;
        private int used;

        BitWriter(int capacity) {
            buf = new byte[capacity];
        }

        BitWriter put(int value, int n) {
            acc |= ((long) value & ((1L << n) - 1)) << used;
            used += n;
            while (used >= 8) {
                if (bytes == buf.length) {
                    buf = java.util.Arrays.copyOf(buf, buf.length * 2);
                }
                buf[bytes++] = (byte) acc;
                acc >>>= 8;
                used -= 8;
            }
            return this;
        }

        /** A prefix code of length {@code n}: its bits go most significant first. */
        BitWriter putReversed(int code, int n) {
            return put(Integer.reverse(code) >>> (32 - n), n);
        }

        byte[] toByteArray() {
            while (used > 0) {
                put(0, 8 - used);
            }
            return java.util.Arrays.copyOf(buf, bytes);
        }
    }
}
