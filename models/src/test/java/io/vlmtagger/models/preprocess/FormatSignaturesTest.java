package io.vlmtagger.models.preprocess;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FormatSignaturesTest {

    @Test
    void namesPhoneAndWebFormatsFromTheirMagicBytes() {
        assertThat(FormatSignatures.name(ftyp("heic"))).contains("HEIC (ftyp brand heic)");
        assertThat(FormatSignatures.name(ftyp("mif1"))).contains("HEIF (ftyp brand mif1)");
        assertThat(FormatSignatures.name(ftyp("avif"))).contains("AVIF (ftyp brand avif)");
        assertThat(FormatSignatures.name(ftyp("isom"))).contains("MP4/QuickTime video (ftyp brand isom)");
        assertThat(FormatSignatures.name(new byte[] {(byte) 0xFF, 0x0A, 0, 0})).contains("JPEG XL (codestream)");
        assertThat(FormatSignatures.name(bytes("8BPS\0\1"))).contains("Photoshop PSD");
        assertThat(FormatSignatures.name(bytes("%PDF-1.7"))).contains("PDF document");
        assertThat(FormatSignatures.name(bytes("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\">")))
                .contains("SVG (vector graphics)");
        assertThat(FormatSignatures.name(bytes("RIFF\0\0\0\0AVI LIST"))).contains("RIFF AVI file");
    }

    @Test
    void saysNothingAboutBytesItDoesNotKnow() {
        assertThat(FormatSignatures.name(bytes("hello, I am not an image"))).isEmpty();
        assertThat(FormatSignatures.name(new byte[] {1, 2})).isEmpty();
        assertThat(FormatSignatures.name(null)).isEmpty();
        // a WebP is a RIFF file that the readers handle: not named here
        assertThat(FormatSignatures.name(bytes("RIFF\0\0\0\0WEBPVP8L"))).isEmpty();
    }

    private static byte[] ftyp(String brand) {
        return bytes("\0\0\0\u0018ftyp" + brand + "\0\0\0\0mif1");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
