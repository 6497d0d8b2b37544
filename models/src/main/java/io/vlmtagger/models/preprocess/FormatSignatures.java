package io.vlmtagger.models.preprocess;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Names the file format of bytes no image reader accepts, from their magic bytes, so that a dead
 * letter says "HEIC image" rather than "unknown bytes". Only recognises; decoding is the readers'
 * job. Covers what users actually send by mistake: phone formats (HEIC/HEIF, AVIF), newer web
 * formats (JPEG XL), JPEG 2000, Photoshop, PDF, SVG, icons, OpenEXR, camera raw in ISO-BMFF
 * (Canon CR3), videos and archives.
 */
public final class FormatSignatures {
    private static final Set<String> HEIF_BRANDS = Set.of("heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs",
            "mif1", "msf1", "mif2");
    private static final Set<String> AVIF_BRANDS = Set.of("avif", "avis");
    private static final Set<String> VIDEO_BRANDS = Set.of("isom", "iso2", "mp41", "mp42", "qt  ", "m4v ", "3gp4", "3gp5",
            "avc1", "dash");

    private FormatSignatures() {}

    /** The format's name when the leading bytes identify one, e.g. {@code "HEIC (ftyp brand heic)"}. */
    public static Optional<String> name(byte[] b) {
        if (b == null || b.length < 4) {
            return Optional.empty();
        }
        if (b.length >= 12 && ascii(b, 4, 4).equals("ftyp")) {
            String brand = ascii(b, 8, 4);
            String lower = brand.toLowerCase(Locale.ROOT);
            if (AVIF_BRANDS.contains(lower)) {
                return Optional.of("AVIF (ftyp brand " + brand + ")");
            }
            if (HEIF_BRANDS.contains(lower)) {
                return Optional.of((lower.startsWith("he") ? "HEIC" : "HEIF") + " (ftyp brand " + brand + ")");
            }
            if (lower.equals("crx ")) {
                return Optional.of("Canon CR3 camera raw (ftyp brand crx)");
            }
            if (lower.equals("jxl ")) {
                return Optional.of("JPEG XL");
            }
            if (VIDEO_BRANDS.contains(lower)) {
                return Optional.of("MP4/QuickTime video (ftyp brand " + brand.trim() + ")");
            }
            return Optional.of("ISO-BMFF file (ftyp brand " + brand.trim() + ")");
        }
        if (u(b, 0) == 0xFF && u(b, 1) == 0x0A) {
            return Optional.of("JPEG XL (codestream)");
        }
        if (b.length >= 12 && startsWith(b, 0x00, 0x00, 0x00, 0x0C, 'J', 'X', 'L', ' ')) {
            return Optional.of("JPEG XL");
        }
        if (b.length >= 12 && startsWith(b, 0x00, 0x00, 0x00, 0x0C, 'j', 'P', ' ', ' ')) {
            return Optional.of("JPEG 2000 (JP2)");
        }
        if (startsWith(b, 0xFF, 0x4F, 0xFF, 0x51)) {
            return Optional.of("JPEG 2000 (codestream)");
        }
        if (startsWith(b, '8', 'B', 'P', 'S')) {
            return Optional.of("Photoshop PSD");
        }
        if (startsWith(b, '%', 'P', 'D', 'F')) {
            return Optional.of("PDF document");
        }
        if (startsWith(b, 0x76, 0x2F, 0x31, 0x01)) {
            return Optional.of("OpenEXR");
        }
        if (startsWith(b, 0x00, 0x00, 0x01, 0x00) && b.length >= 6 && u(b, 4) + u(b, 5) > 0) {
            return Optional.of("Windows icon (ICO)");
        }
        if (b.length >= 12 && startsWith(b, 'R', 'I', 'F', 'F') && !ascii(b, 8, 4).equals("WEBP")) {
            return Optional.of("RIFF " + ascii(b, 8, 4).trim() + " file");
        }
        if (startsWith(b, 'P', 'K', 0x03, 0x04)) {
            return Optional.of("ZIP archive");
        }
        if (startsWith(b, 0x1F, 0x8B)) {
            return Optional.of("gzip archive");
        }
        String head = ascii(b, 0, Math.min(b.length, 256)).toLowerCase(Locale.ROOT);
        if (head.contains("<svg")) {
            return Optional.of("SVG (vector graphics)");
        }
        return Optional.empty();
    }

    private static boolean startsWith(byte[] b, int... prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (u(b, i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int u(byte[] b, int i) {
        return b[i] & 0xFF;
    }

    private static String ascii(byte[] b, int from, int len) {
        return new String(b, from, Math.min(len, b.length - from), StandardCharsets.ISO_8859_1);
    }
}
