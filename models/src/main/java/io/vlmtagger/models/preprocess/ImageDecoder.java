package io.vlmtagger.models.preprocess;

import io.vlmtagger.models.api.ImageDecodeException;
import io.vlmtagger.models.api.ImageDecodeException.Reason;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.ServiceLoader;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Encoded image bytes -> 8-bit RGB, like PIL's {@code Image.open(...).convert("RGB")}: alpha is
 * dropped (not composited), grey is replicated, palettes are looked up, 16-bit samples keep their
 * high byte. Other colour spaces (CMYK/YCCK JPEGs via the TwelveMonkeys reader) go through the
 * image's colour model, which applies the embedded ICC profile where PIL would use a naive
 * formula: such images may differ from PIL by a few levels.
 *
 * <p>Any format ImageIO has a reader for is accepted (JDK: JPEG, PNG, GIF, BMP, WBMP; TwelveMonkeys:
 * CMYK JPEG, WebP, TIFF with 8/16-bit samples, CMYK, LZW/Deflate/JPEG compression; a multi-page
 * TIFF gives its first page). The size is read from the header first and an image over the pixel
 * budget is refused before any pixel is decoded. Bytes no reader accepts are refused as
 * {@link Reason#UNSUPPORTED_FORMAT}, naming the format when its magic bytes identify it (HEIC,
 * AVIF, ...: {@link FormatSignatures}). Thread-safe: each call uses its own reader and an in-memory
 * stream (no ImageIO disk cache).
 */
public final class ImageDecoder {
    private static final Object REGISTRATION_LOCK = new Object();
    private static volatile boolean pluginsRegistered;

    private final long maxPixels;

    /** @param maxPixels largest {@code width * height} accepted, e.g. 40_000_000 */
    public ImageDecoder(long maxPixels) {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
        }
        this.maxPixels = maxPixels;
        registerPlugins();
    }

    public long maxPixels() {
        return maxPixels;
    }

    /** Decodes {@code bytes} into RGB, refusing empty, unreadable, corrupt or too large images. */
    public RgbImage decode(byte[] bytes) throws ImageDecodeException {
        if (bytes == null || bytes.length == 0) {
            throw new ImageDecodeException(Reason.EMPTY, "image bytes are empty");
        }
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw unsupported(bytes);
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                String format = reader.getFormatName();
                long width;
                long height;
                try {
                    width = reader.getWidth(0);
                    height = reader.getHeight(0);
                } catch (IOException | RuntimeException e) {
                    throw new ImageDecodeException(Reason.CORRUPT, "unreadable " + format + " header: " + e, e);
                }
                if (width <= 0 || height <= 0) {
                    throw new ImageDecodeException(Reason.CORRUPT,
                            format + " header gives an empty size " + width + "x" + height);
                }
                if (width * height > maxPixels) {
                    throw new ImageDecodeException(Reason.TOO_LARGE, format + " image of " + width + "x" + height
                            + " = " + (width * height) + " pixels is over the budget of " + maxPixels + " pixels");
                }
                BufferedImage image;
                try {
                    image = reader.read(0);
                } catch (IOException | RuntimeException e) {
                    throw new ImageDecodeException(Reason.CORRUPT, "corrupt " + format + " data: " + e, e);
                } catch (OutOfMemoryError e) {
                    throw new ImageDecodeException(Reason.TOO_LARGE,
                            "out of memory decoding a " + width + "x" + height + " " + format + " image", e);
                }
                return toRgb(image);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new ImageDecodeException(Reason.CORRUPT, "cannot read image bytes: " + e, e);
        }
    }

    /** PIL-style {@code convert("RGB")} of a decoded image. */
    public static RgbImage toRgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] out = new byte[w * h * 3];
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        int csType = cm.getColorSpace().getType();
        if (csType == ColorSpace.TYPE_RGB && copyInterleavedBytes(raster, cm, out, w, h)) {
            return new RgbImage(out, w, h);
        }
        if (cm instanceof IndexColorModel icm) {
            int[] idx = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, idx);
                for (int x = 0; x < w; x++) {
                    int o = (y * w + x) * 3;
                    out[o] = (byte) icm.getRed(idx[x]);
                    out[o + 1] = (byte) icm.getGreen(idx[x]);
                    out[o + 2] = (byte) icm.getBlue(idx[x]);
                }
            }
        } else if (csType == ColorSpace.TYPE_GRAY && raster.getNumBands() <= 2) {
            int bits = cm.getComponentSize(0);
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    byte v = (byte) to8Bits(row[x], bits);
                    int o = (y * w + x) * 3;
                    out[o] = v;
                    out[o + 1] = v;
                    out[o + 2] = v;
                }
            }
        } else if (csType == ColorSpace.TYPE_RGB && raster.getNumBands() >= 3) {
            int[] row = new int[w];
            for (int c = 0; c < 3; c++) {
                int bits = cm.getComponentSize(c);
                for (int y = 0; y < h; y++) {
                    raster.getSamples(0, y, w, 1, c, row);
                    for (int x = 0; x < w; x++) {
                        out[(y * w + x) * 3 + c] = (byte) to8Bits(row[x], bits);
                    }
                }
            }
        } else {
            // CMYK, YCCK, other ICC spaces: let the colour model convert (alpha dropped).
            int[] argb = new int[w];
            for (int y = 0; y < h; y++) {
                image.getRGB(0, y, w, 1, argb, 0, w);
                for (int x = 0; x < w; x++) {
                    int o = (y * w + x) * 3;
                    out[o] = (byte) (argb[x] >> 16);
                    out[o + 1] = (byte) (argb[x] >> 8);
                    out[o + 2] = (byte) argb[x];
                }
            }
        }
        return new RgbImage(out, w, h);
    }

    /**
     * Fast path for the common decoder output (8-bit interleaved RGB/BGR/ABGR bytes, e.g.
     * {@code TYPE_3BYTE_BGR} from JPEG and PNG): copies the bytes by band offset, no per-sample calls.
     */
    private static boolean copyInterleavedBytes(Raster raster, ColorModel cm, byte[] out, int w, int h) {
        if (!(raster.getDataBuffer() instanceof DataBufferByte buffer)
                || !(raster.getSampleModel() instanceof PixelInterleavedSampleModel sm)
                || buffer.getNumBanks() != 1 || raster.getNumBands() < 3
                || raster.getSampleModelTranslateX() != 0 || raster.getSampleModelTranslateY() != 0
                || cm.getComponentSize(0) != 8 || cm.getComponentSize(1) != 8 || cm.getComponentSize(2) != 8) {
            return false;
        }
        byte[] data = buffer.getData();
        int[] offsets = sm.getBandOffsets();
        int pixelStride = sm.getPixelStride();
        int scanlineStride = sm.getScanlineStride();
        int base = buffer.getOffset();
        int r = offsets[0];
        int g = offsets[1];
        int b = offsets[2];
        for (int y = 0; y < h; y++) {
            int p = base + y * scanlineStride;
            int o = y * w * 3;
            for (int x = 0; x < w; x++, p += pixelStride, o += 3) {
                out[o] = data[p + r];
                out[o + 1] = data[p + g];
                out[o + 2] = data[p + b];
            }
        }
        return true;
    }

    /** 16-bit keeps the high byte (PIL's {@code RGB;16B} unpacker); 1/2/4-bit are stretched to 0..255. */
    private static int to8Bits(int sample, int bits) {
        if (bits == 8) {
            return sample & 0xff;
        }
        if (bits > 8) {
            return (sample >>> (bits - 8)) & 0xff;
        }
        int max = (1 << bits) - 1;
        return (sample * 255 + max / 2) / max;
    }

    private static ImageDecodeException unsupported(byte[] bytes) {
        String known = "readable formats are JPEG, PNG, GIF, BMP, WebP and TIFF";
        return FormatSignatures.name(bytes)
                .map(format -> new ImageDecodeException(Reason.UNSUPPORTED_FORMAT, format + " is not a supported image"
                        + " format (" + known + "): convert it to one of them before sending"))
                .orElseGet(() -> new ImageDecodeException(Reason.UNSUPPORTED_FORMAT,
                        "no image reader recognises these " + bytes.length + " bytes (first bytes: "
                                + hexPrefix(bytes) + "; " + known + ")"));
    }

    private static String hexPrefix(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(8, bytes.length); i++) {
            sb.append(String.format("%02x", bytes[i] & 0xff));
        }
        return sb.toString();
    }

    /**
     * ImageIO's registry is per JVM and scans the context class loader once; under Flink's
     * child-first user class loader the TwelveMonkeys readers would be missed, so they are
     * registered from this class's loader (the registry ignores duplicates).
     */
    private static void registerPlugins() {
        if (pluginsRegistered) {
            return;
        }
        synchronized (REGISTRATION_LOCK) {
            if (!pluginsRegistered) {
                IIORegistry.getDefaultInstance().registerServiceProviders(
                        ServiceLoader.load(ImageReaderSpi.class, ImageDecoder.class.getClassLoader()).iterator());
                pluginsRegistered = true;
            }
        }
    }
}
