package io.vlmtagger.jobs.reliability;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/** Small encoded images of the kinds the bad-input corpus needs, drawn deterministically. */
final class TestImages {
    private TestImages() {}

    static byte[] pngRgb(int w, int h) {
        return encode(draw(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB)), "png");
    }

    static byte[] jpegRgb(int w, int h) {
        return encode(draw(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB)), "jpeg");
    }

    static byte[] pngGray(int w, int h) {
        return encode(draw(new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY)), "png");
    }

    static byte[] jpegGray(int w, int h) {
        return encode(draw(new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY)), "jpeg");
    }

    static byte[] png16Gray(int w, int h) {
        return encode(draw(new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY)), "png");
    }

    static byte[] pngArgb(int w, int h) {
        return encode(draw(new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB)), "png");
    }

    static byte[] gif(int w, int h) {
        return encode(draw(new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED)), "gif");
    }

    static byte[] bmp(int w, int h) {
        return encode(draw(new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR)), "bmp");
    }

    /** 16 bits per channel RGB (PNG bit depth 16, colour type 2). */
    static byte[] png16Rgb(int w, int h) {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = cm.createCompatibleWritableRaster(w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                raster.setPixel(x, y, new int[] {(x * 65535) / Math.max(1, w - 1), (y * 65535) / Math.max(1, h - 1), 30000});
            }
        }
        return encode(new BufferedImage(cm, raster, false, null), "png");
    }

    /** A four-channel (CMYK/YCCK, Adobe marker) JPEG, written from a raw four-band raster. */
    static byte[] jpegCmyk(int w, int h) {
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                raster.setPixel(x, y, new int[] {(x * 7) & 0xFF, (y * 5) & 0xFF, 40, 10});
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.write(null, new IIOImage(raster, null, null), writer.getDefaultWriteParam());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** A PNG signature and IHDR claiming {@code w x h}, then a tiny IDAT and IEND: a decompression-bomb header. */
    static byte[] pngHeaderOnly(int w, int h) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    /** {@code jpeg} with its SOF0 frame size patched to {@code w x h}. */
    static byte[] jpegWithSize(byte[] jpeg, int w, int h) {
        byte[] b = jpeg.clone();
        int sof = indexOfMarker(b, 0xC0);
        // FF C0, length(2), precision(1), height(2), width(2)
        b[sof + 5] = (byte) (h >> 8);
        b[sof + 6] = (byte) h;
        b[sof + 7] = (byte) (w >> 8);
        b[sof + 8] = (byte) w;
        return b;
    }

    /** {@code gif} with its logical screen and first image descriptor patched to {@code w x h}. */
    static byte[] gifWithSize(byte[] gif, int w, int h) {
        byte[] b = gif.clone();
        b[6] = (byte) w;
        b[7] = (byte) (w >> 8);
        b[8] = (byte) h;
        b[9] = (byte) (h >> 8);
        for (int i = 13; i + 9 < b.length; i++) {
            if (b[i] == 0x2C) { // image separator
                b[i + 5] = (byte) w;
                b[i + 6] = (byte) (w >> 8);
                b[i + 7] = (byte) h;
                b[i + 8] = (byte) (h >> 8);
                break;
            }
        }
        return b;
    }

    /** Offset of the first {@code FF marker} pair. */
    static int indexOfMarker(byte[] b, int marker) {
        for (int i = 0; i + 1 < b.length; i++) {
            if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == marker) {
                return i;
            }
        }
        throw new IllegalStateException("no FF " + Integer.toHexString(marker) + " marker");
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private static BufferedImage draw(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(30, 120, 200, 255));
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(new Color(220, 40, 40, 128));
        g.fillOval(img.getWidth() / 4, img.getHeight() / 4, Math.max(1, img.getWidth() / 2), Math.max(1, img.getHeight() / 2));
        g.dispose();
        return img;
    }

    private static byte[] encode(BufferedImage img, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format + " and image type " + img.getType());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
