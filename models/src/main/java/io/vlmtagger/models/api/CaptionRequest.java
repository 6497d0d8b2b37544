package io.vlmtagger.models.api;

import java.util.Objects;

/**
 * One image to caption, with an optional text prompt that the caption continues (BLIP-2 style,
 * e.g. {@code "a photo of"}); {@code null} prompt means unconditional captioning.
 */
public record CaptionRequest(PixelValues pixels, String prompt) {
    public CaptionRequest {
        Objects.requireNonNull(pixels, "pixels");
    }

    public static CaptionRequest of(PixelValues pixels) {
        return new CaptionRequest(pixels, null);
    }
}
