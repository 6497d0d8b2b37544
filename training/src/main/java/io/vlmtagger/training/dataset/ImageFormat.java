package io.vlmtagger.training.dataset;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** The file formats scenes are written in, so that they enter the pipeline like real uploads. */
public enum ImageFormat {
    PNG,
    /** Baseline JPEG, quality 0.95. */
    JPEG;

    public String extension() {
        return this == PNG ? "png" : "jpg";
    }

    public static ImageFormat parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "png" -> PNG;
            case "jpg", "jpeg" -> JPEG;
            default -> throw new IllegalArgumentException("unknown image format '" + name + "' (png or jpeg)");
        };
    }

    /** Encodes {@code image} (RGB) in this format. */
    public byte[] encode(BufferedImage image) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (this == PNG) {
                ImageIO.write(image, "png", out);
                return out.toByteArray();
            }
            Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
            ImageWriter writer = writers.next();
            try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
                writer.setOutput(stream);
                ImageWriteParam param = writer.getDefaultWriteParam();
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(0.95f);
                writer.write(null, new IIOImage(image, null, null), param);
            } finally {
                writer.dispose();
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode image as " + this, e);
        }
    }
}
