package io.vlmtagger.jobs.reliability;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Phone-photo-sized JPEGs that compress like photos do not: 4000x3000 pixels, a gradient under
 * per-pixel noise; the noise amplitude sets the file size (48 to 120 gives 4.5 to 7.5 MB at
 * quality 0.9). Encoding one takes about a second, so a set is written from a few distinct images,
 * each file made distinct by bytes after the JPEG's end marker (decoders ignore them).
 */
final class NoisePhotos {
    static final int WIDTH = 4000;
    static final int HEIGHT = 3000;

    private NoisePhotos() {}

    /** Writes {@code count} photos of 4-8 MB to {@code dir} from {@code distinct} encoded images. */
    static List<Path> write(Path dir, int count, int distinct) throws IOException {
        Files.createDirectories(dir);
        List<byte[]> bases = new ArrayList<>();
        for (int i = 0; i < distinct; i++) {
            bases.add(jpeg(48 + (72 * i) / Math.max(1, distinct - 1), i));
        }
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] base = bases.get(i % distinct);
            byte[] tail = ("photo-" + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            byte[] file = java.util.Arrays.copyOf(base, base.length + tail.length);
            System.arraycopy(tail, 0, file, base.length, tail.length);
            files.add(Files.write(dir.resolve(String.format("photo-%03d.jpg", i)), file));
        }
        return files;
    }

    static byte[] jpeg(int noiseAmplitude, long seed) throws IOException {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_3BYTE_BGR);
        byte[] px = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        SplittableRandom random = new SplittableRandom(seed);
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                int i = (y * WIDTH + x) * 3;
                int base = (x * 255 / WIDTH + y * 255 / HEIGHT) / 2;
                for (int c = 0; c < 3; c++) {
                    int v = base + c * 40 + random.nextInt(noiseAmplitude) - noiseAmplitude / 2;
                    px[i + c] = (byte) Math.max(0, Math.min(255, v));
                }
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try {
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(0.9f);
            ByteArrayOutputStream out = new ByteArrayOutputStream(8 << 20);
            try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
                writer.setOutput(ios);
                writer.write(null, new IIOImage(image, null, null), p);
            }
            return out.toByteArray();
        } finally {
            writer.dispose();
        }
    }
}
