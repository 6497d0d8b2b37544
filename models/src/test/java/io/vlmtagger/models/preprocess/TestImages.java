package io.vlmtagger.models.preprocess;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/** Images generated in code for the preprocessing tests. */
final class TestImages {
    private TestImages() {}

    static byte[] encode(BufferedImage image, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format + " and image type " + image.getType());
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BufferedImage solid(int width, int height, int type, int argb) {
        BufferedImage img = new BufferedImage(width, height, type);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, argb);
            }
        }
        return img;
    }

    /** A PNG signature and a valid IHDR chunk claiming {@code width x height}, then nothing. */
    static byte[] pngHeaderOnly(int width, int height) {
        ByteBuffer buf = ByteBuffer.allocate(8 + 25);
        buf.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer chunk = ByteBuffer.allocate(17);
        chunk.put(new byte[] {'I', 'H', 'D', 'R'});
        chunk.putInt(width).putInt(height);
        chunk.put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(chunk.array());
        buf.putInt(13);
        buf.put(chunk.array());
        buf.putInt((int) crc.getValue());
        return buf.array();
    }

    static RgbImage rgb(int width, int height, int... interleaved) {
        byte[] b = new byte[interleaved.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) interleaved[i];
        }
        return new RgbImage(b, width, height);
    }
}
