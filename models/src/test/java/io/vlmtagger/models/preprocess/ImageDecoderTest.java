package io.vlmtagger.models.preprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.twelvemonkeys.imageio.color.ColorSpaces;
import io.vlmtagger.models.api.ImageDecodeException;
import io.vlmtagger.models.api.ImageDecodeException.Reason;
import io.vlmtagger.models.testutil.PhotoFiles;
import io.vlmtagger.models.testutil.PhotoFiles.Kind;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;

class ImageDecoderTest {
    private final ImageDecoder decoder = new ImageDecoder(40_000_000L);

    @Test
    void decodesRgbPngExactly() throws Exception {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0x112233);
        img.setRGB(2, 1, 0xfe0180);
        RgbImage out = decoder.decode(TestImages.encode(img, "png"));
        assertThat(out.width()).isEqualTo(3);
        assertThat(out.height()).isEqualTo(2);
        assertThat(new int[] {out.get(0, 0, 0), out.get(0, 0, 1), out.get(0, 0, 2)}).containsExactly(0x11, 0x22, 0x33);
        assertThat(new int[] {out.get(2, 1, 0), out.get(2, 1, 1), out.get(2, 1, 2)}).containsExactly(0xfe, 0x01, 0x80);
    }

    @Test
    void interleavedByteImagesOfEveryLayoutConvertAlike() {
        java.util.Random rnd = new java.util.Random(5);
        BufferedImage reference = new BufferedImage(37, 23, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 23; y++) {
            for (int x = 0; x < 37; x++) {
                reference.setRGB(x, y, rnd.nextInt(0x1000000));
            }
        }
        for (int type : new int[] {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_4BYTE_ABGR, BufferedImage.TYPE_INT_RGB}) {
            BufferedImage img = new BufferedImage(37, 23, type);
            img.getGraphics().drawImage(reference, 0, 0, null);
            RgbImage out = ImageDecoder.toRgb(img);
            for (int y = 0; y < 23; y++) {
                for (int x = 0; x < 37; x++) {
                    int rgb = reference.getRGB(x, y);
                    assertThat(new int[] {out.get(x, y, 0), out.get(x, y, 1), out.get(x, y, 2)}).as("type %d (%d,%d)", type, x, y)
                            .containsExactly((rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff);
                }
            }
        }
    }

    @Test
    void dropsAlphaLikePilConvertRgb() throws Exception {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        img.setRGB(0, 0, 0x00336699); // fully transparent: PIL keeps the colour, no white composite
        img.setRGB(1, 0, 0x80ff0000);
        RgbImage out = decoder.decode(TestImages.encode(img, "png"));
        assertThat(new int[] {out.get(0, 0, 0), out.get(0, 0, 1), out.get(0, 0, 2)}).containsExactly(0x33, 0x66, 0x99);
        assertThat(new int[] {out.get(1, 0, 0), out.get(1, 0, 1), out.get(1, 0, 2)}).containsExactly(0xff, 0, 0);
    }

    @Test
    void replicatesGreyWithoutGammaConversion() throws Exception {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSample(0, 0, 0, 50);
        img.getRaster().setSample(1, 0, 0, 200);
        RgbImage out = decoder.decode(TestImages.encode(img, "png"));
        assertThat(new int[] {out.get(0, 0, 0), out.get(0, 0, 1), out.get(0, 0, 2)}).containsExactly(50, 50, 50);
        assertThat(out.get(1, 0, 2)).isEqualTo(200);
    }

    @Test
    void keepsTheHighByteOf16BitSamples() throws Exception {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = cm.createCompatibleWritableRaster(2, 1);
        raster.setPixel(0, 0, new int[] {0x1234, 0xffff, 0x00ff});
        raster.setPixel(1, 0, new int[] {0x8000, 0x7fff, 0x0100});
        BufferedImage img = new BufferedImage(cm, raster, false, null);
        RgbImage out = decoder.decode(TestImages.encode(img, "png"));
        assertThat(new int[] {out.get(0, 0, 0), out.get(0, 0, 1), out.get(0, 0, 2)}).containsExactly(0x12, 0xff, 0x00);
        assertThat(new int[] {out.get(1, 0, 0), out.get(1, 0, 1), out.get(1, 0, 2)}).containsExactly(0x80, 0x7f, 0x01);

        BufferedImage grey16 = new BufferedImage(1, 1, BufferedImage.TYPE_USHORT_GRAY);
        grey16.getRaster().setSample(0, 0, 0, 0xabcd);
        RgbImage g = decoder.decode(TestImages.encode(grey16, "png"));
        assertThat(new int[] {g.get(0, 0, 0), g.get(0, 0, 1), g.get(0, 0, 2)}).containsExactly(0xab, 0xab, 0xab);
    }

    @Test
    void looksUpPalettes() throws Exception {
        byte[] r = {0, (byte) 250};
        byte[] g = {0, 10};
        byte[] b = {0, 99};
        IndexColorModel icm = new IndexColorModel(1, 2, r, g, b);
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_BINARY, icm);
        img.getRaster().setSample(1, 0, 0, 1);
        for (String format : new String[] {"gif", "png", "bmp"}) {
            RgbImage out = decoder.decode(TestImages.encode(img, format));
            assertThat(new int[] {out.get(1, 0, 0), out.get(1, 0, 1), out.get(1, 0, 2)}).as(format)
                    .containsExactly(250, 10, 99);
            assertThat(out.get(0, 0, 0)).as(format).isZero();
        }
    }

    @Test
    void decodesJpegApproximately() throws Exception {
        BufferedImage img = TestImages.solid(16, 16, BufferedImage.TYPE_INT_RGB, 0x4080c0);
        RgbImage out = decoder.decode(TestImages.encode(img, "jpg"));
        assertThat(out.get(5, 5, 0)).isBetween(0x40 - 3, 0x40 + 3);
        assertThat(out.get(5, 5, 1)).isBetween(0x80 - 3, 0x80 + 3);
        assertThat(out.get(5, 5, 2)).isBetween(0xc0 - 3, 0xc0 + 3);
    }

    @Test
    void decodesCmykJpegThroughTheTwelveMonkeysReader() throws Exception {
        // CMYK JPEGs (print workflows, Photoshop exports) are refused by the JDK's own reader.
        assertThat(java.util.Arrays.stream(cmykPixel(0, 0, 0, 0)).min().getAsInt()).as("no ink").isGreaterThan(245);
        assertThat(java.util.Arrays.stream(cmykPixel(0, 0, 0, 255)).max().getAsInt()).as("full black").isLessThan(10);
        int[] cyan = cmykPixel(255, 0, 0, 0);
        assertThat(cyan[0]).as("cyan has no red").isLessThan(40);
        assertThat(cyan[1]).isGreaterThan(150);
        assertThat(cyan[2]).isGreaterThan(200);
    }

    private int[] cmykPixel(int c, int m, int y, int k) throws Exception {
        ColorSpace cmyk = ColorSpaces.getColorSpace(ColorSpaces.CS_GENERIC_CMYK);
        ComponentColorModel cm = new ComponentColorModel(cmyk, false, false, Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        WritableRaster raster = cm.createCompatibleWritableRaster(16, 16);
        for (int yy = 0; yy < 16; yy++) {
            for (int xx = 0; xx < 16; xx++) {
                raster.setPixel(xx, yy, new int[] {c, m, y, k});
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(ios);
            writer.write(null, new IIOImage(new BufferedImage(cm, raster, false, null), null, null),
                    writer.getDefaultWriteParam());
        } finally {
            writer.dispose();
        }
        RgbImage out = decoder.decode(bytes.toByteArray());
        assertThat(out.width()).isEqualTo(16);
        return new int[] {out.get(8, 8, 0), out.get(8, 8, 1), out.get(8, 8, 2)};
    }

    @Test
    void decodesWebpLossyAndLossless() throws Exception {
        // 1x1 WebP files (the well-known feature-detection images): VP8L lossless, then VP8 lossy.
        byte[] lossless = java.util.Base64.getDecoder().decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==");
        byte[] lossy = java.util.Base64.getDecoder().decode("UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA");
        for (byte[] webp : new byte[][] {lossless, lossy}) {
            RgbImage out = decoder.decode(webp);
            assertThat(out.width()).isEqualTo(1);
            assertThat(out.height()).isEqualTo(1);
        }
        RgbImage grey = decoder.decode(lossy);
        assertThat(grey.get(0, 0, 0)).isEqualTo(grey.get(0, 0, 1)).isEqualTo(grey.get(0, 0, 2));
    }

    @Test
    void decodesGeneratedLosslessWebpExactly() throws Exception {
        BufferedImage photo = PhotoFiles.photo(97, 41, 3, 20);
        RgbImage out = decoder.decode(PhotoFiles.webpLossless(photo));
        assertThat(maxDifference(photo, out)).isZero();
    }

    @Test
    void decodesTiffOfEveryCommonKind() throws Exception {
        BufferedImage photo = PhotoFiles.photo(120, 80, 7, 6);
        // lossless TIFFs give the pixels back; 16-bit keeps the high byte (v * 257 -> v)
        for (Kind kind : new Kind[] {Kind.TIFF_LZW, Kind.TIFF_DEFLATE, Kind.TIFF_16BIT}) {
            assertThat(maxDifference(photo, decoder.decode(PhotoFiles.encode(kind, photo)))).as(kind.name()).isZero();
        }
        assertThat(meanDifference(photo, decoder.decode(PhotoFiles.encode(Kind.TIFF_JPEG, photo)))).as("JPEG in TIFF")
                .isLessThan(4);
        // CMYK goes through a colour profile, not the naive formula it was written with: close, not equal
        assertThat(meanDifference(photo, decoder.decode(PhotoFiles.encode(Kind.TIFF_CMYK, photo)))).as("CMYK TIFF")
                .isLessThan(40);
    }

    @Test
    void aMultiPageTiffGivesItsFirstPage() throws Exception {
        BufferedImage first = PhotoFiles.photo(60, 40, 1, 0);
        byte[] tiff = PhotoFiles.tiffPages(first, PhotoFiles.photo(200, 10, 2, 0), PhotoFiles.photo(5, 5, 3, 0));
        RgbImage out = decoder.decode(tiff);
        assertThat(out.width()).isEqualTo(60);
        assertThat(out.height()).isEqualTo(40);
        assertThat(maxDifference(first, out)).isZero();
    }

    @Test
    void refusesAHugeTiffFromItsHeaderAlone() {
        byte[] tiff = PhotoFiles.tiffCmyk(PhotoFiles.photo(4, 4, 1, 0));
        // ImageWidth and ImageLength are the first two IFD entries (LONG values at offsets 18 and 30)
        java.nio.ByteBuffer.wrap(tiff).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(18, 60_000).putInt(30, 60_000);
        assertThatThrownBy(() -> decoder.decode(tiff))
                .isInstanceOfSatisfying(ImageDecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE))
                .hasMessageContaining("60000x60000");
    }

    @Test
    void namesFormatsNobodyReads() {
        BufferedImage photo = PhotoFiles.photo(64, 64, 1, 0);
        assertThatThrownBy(() -> decoder.decode(PhotoFiles.encode(Kind.HEIC, photo)))
                .isInstanceOfSatisfying(ImageDecodeException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_FORMAT))
                .hasMessageStartingWith("HEIC (ftyp brand heic) is not a supported image format")
                .hasMessageContaining("WebP and TIFF");
        assertThatThrownBy(() -> decoder.decode(PhotoFiles.encode(Kind.AVIF, photo)))
                .isInstanceOfSatisfying(ImageDecodeException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_FORMAT))
                .hasMessageStartingWith("AVIF");
    }

    private static int maxDifference(BufferedImage expected, RgbImage actual) {
        return (int) difference(expected, actual)[0];
    }

    private static double meanDifference(BufferedImage expected, RgbImage actual) {
        return difference(expected, actual)[1];
    }

    /** Largest and mean absolute difference over every sample, after checking the size. */
    private static double[] difference(BufferedImage expected, RgbImage actual) {
        assertThat(actual.width()).isEqualTo(expected.getWidth());
        assertThat(actual.height()).isEqualTo(expected.getHeight());
        int max = 0;
        long sum = 0;
        for (int y = 0; y < expected.getHeight(); y++) {
            for (int x = 0; x < expected.getWidth(); x++) {
                int rgb = expected.getRGB(x, y);
                for (int c = 0; c < 3; c++) {
                    int d = Math.abs(actual.get(x, y, c) - ((rgb >> (16 - 8 * c)) & 0xff));
                    max = Math.max(max, d);
                    sum += d;
                }
            }
        }
        return new double[] {max, sum / (3.0 * expected.getWidth() * expected.getHeight())};
    }

    @Test
    void refusesEmptyBytes() {
        assertThatThrownBy(() -> decoder.decode(new byte[0]))
                .isInstanceOfSatisfying(ImageDecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.EMPTY));
        assertThatThrownBy(() -> decoder.decode(null))
                .isInstanceOfSatisfying(ImageDecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.EMPTY));
    }

    @Test
    void refusesBytesNoReaderKnows() {
        byte[] text = "this is not an image at all".getBytes();
        assertThatThrownBy(() -> decoder.decode(text))
                .isInstanceOfSatisfying(ImageDecodeException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_FORMAT))
                .hasMessageContaining("no image reader");
    }

    @Test
    void refusesTruncatedPngAsCorrupt() {
        BufferedImage img = TestImages.solid(64, 64, BufferedImage.TYPE_INT_RGB, 0x123456);
        byte[] png = TestImages.encode(img, "png");
        byte[] truncated = Arrays.copyOf(png, png.length / 2);
        assertThatThrownBy(() -> decoder.decode(truncated))
                .isInstanceOfSatisfying(ImageDecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.CORRUPT));
    }

    @Test
    void refusesAHugeImageFromItsHeaderAlone() {
        // 50000 x 50000 = 2.5 G pixels: decoding would need 7.5 GB; only 33 header bytes exist.
        byte[] header = TestImages.pngHeaderOnly(50_000, 50_000);
        assertThatThrownBy(() -> decoder.decode(header))
                .isInstanceOfSatisfying(ImageDecodeException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE))
                .hasMessageContaining("50000x50000")
                .hasMessageContaining("40000000");
    }

    @Test
    void pixelBudgetIsConfigurable() throws Exception {
        byte[] png = TestImages.encode(TestImages.solid(10, 10, BufferedImage.TYPE_INT_RGB, 0), "png");
        assertThat(new ImageDecoder(100).decode(png).width()).isEqualTo(10);
        assertThatThrownBy(() -> new ImageDecoder(99).decode(png))
                .isInstanceOfSatisfying(ImageDecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE));
    }
}
