package io.vlmtagger.operators.testutils;

import io.vlmtagger.models.api.ImageDecodeException;
import io.vlmtagger.models.api.PixelValues;

import java.nio.charset.StandardCharsets;

/** Fake "images": the UTF-8 bytes of a label, carried through {@link PixelValues} unchanged. */
public final class FakeImages {
    private FakeImages() {}

    public static byte[] image(String label) {
        return label.getBytes(StandardCharsets.UTF_8);
    }

    static PixelValues decode(byte[] bytes, FakeModel<?> model) throws ImageDecodeException {
        model.onPreprocess();
        String label = new String(bytes, StandardCharsets.UTF_8);
        if (label.startsWith("corrupt")) {
            throw new ImageDecodeException(ImageDecodeException.Reason.CORRUPT, "not an image: " + label);
        }
        if (label.startsWith("huge")) {
            throw new ImageDecodeException(ImageDecodeException.Reason.TOO_LARGE, "too many pixels: " + label);
        }
        float[] chw = new float[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chw[i] = bytes[i];
        }
        return new PixelValues(chw, 1, 1, bytes.length);
    }

    static String label(PixelValues pixels) {
        float[] chw = pixels.chw();
        byte[] b = new byte[chw.length];
        for (int i = 0; i < chw.length; i++) {
            b[i] = (byte) chw[i];
        }
        return new String(b, StandardCharsets.UTF_8);
    }
}
