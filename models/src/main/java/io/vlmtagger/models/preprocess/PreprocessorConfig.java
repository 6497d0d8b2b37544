package io.vlmtagger.models.preprocess;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmtagger.models.api.CheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A checkpoint's {@code preprocessor_config.json}, with the transformers (v4.40) class defaults
 * applied for absent keys. Two processor families are understood:
 *
 * <ul>
 *   <li>{@code BlipImageProcessor} (BLIP-2): resize to {@code size {height, width}} (default 384x384),
 *       no crop;
 *   <li>{@code CLIPImageProcessor} (LLaVA-1.5): resize the shortest edge to {@code size
 *       {shortest_edge}} (default 224) keeping the aspect ratio, then centre-crop to {@code crop_size}
 *       (default 224x224).
 * </ul>
 *
 * Both default to bicubic resampling, rescale 1/255, and OpenAI CLIP mean/std normalisation.
 * Legacy integer sizes ({@code "size": 224}) are read as transformers' {@code get_size_dict} does.
 */
public record PreprocessorConfig(
        String processorType,
        boolean doResize,
        int resizeHeight,
        int resizeWidth,
        int shortestEdge,
        Resample resample,
        boolean doCenterCrop,
        int cropHeight,
        int cropWidth,
        boolean doRescale,
        double rescaleFactor,
        boolean doNormalize,
        float[] imageMean,
        float[] imageStd,
        boolean doConvertRgb) {

    public static final String BLIP = "BlipImageProcessor";
    public static final String CLIP = "CLIPImageProcessor";
    public static final float[] OPENAI_CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    public static final float[] OPENAI_CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

    public PreprocessorConfig {
        if (imageMean.length != 3 || imageStd.length != 3) {
            throw new IllegalArgumentException("image_mean and image_std need 3 values (RGB), got "
                    + Arrays.toString(imageMean) + " / " + Arrays.toString(imageStd));
        }
        if (doResize && shortestEdge <= 0 && (resizeHeight <= 0 || resizeWidth <= 0)) {
            throw new IllegalArgumentException("do_resize needs size {height, width} or {shortest_edge}");
        }
        if (doCenterCrop && (cropHeight <= 0 || cropWidth <= 0)) {
            throw new IllegalArgumentException("do_center_crop needs crop_size {height, width}");
        }
        imageMean = imageMean.clone();
        imageStd = imageStd.clone();
    }

    /** Reads {@code <dir>/preprocessor_config.json}. */
    public static PreprocessorConfig fromCheckpoint(Path checkpointDir) {
        Path file = checkpointDir.resolve("preprocessor_config.json");
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException("checkpoint " + checkpointDir + " has no preprocessor_config.json");
        }
        try {
            return fromJson(new ObjectMapper().readTree(file.toFile()));
        } catch (IOException | IllegalArgumentException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses the JSON of a {@code preprocessor_config.json}. */
    public static PreprocessorConfig fromJson(JsonNode json) {
        String type = text(json, "image_processor_type", text(json, "feature_extractor_type", null));
        boolean clip;
        if (type == null) {
            JsonNode size = json.get("size");
            clip = size != null && size.has("shortest_edge");
            type = clip ? CLIP : BLIP;
        } else if (type.startsWith("CLIP")) {
            clip = true;
        } else if (type.startsWith("Blip")) {
            clip = false;
        } else {
            throw new IllegalArgumentException("unsupported image_processor_type " + type
                    + "; supported: " + BLIP + ", " + CLIP);
        }
        int defaultSize = clip ? 224 : 384;
        int resizeH = 0;
        int resizeW = 0;
        int shortest = 0;
        JsonNode size = json.get("size");
        if (size == null || size.isNull()) {
            if (clip) {
                shortest = defaultSize;
            } else {
                resizeH = defaultSize;
                resizeW = defaultSize;
            }
        } else if (size.isInt()) {
            if (clip) {
                shortest = size.asInt();
            } else {
                resizeH = size.asInt();
                resizeW = size.asInt();
            }
        } else if (size.has("shortest_edge")) {
            shortest = size.get("shortest_edge").asInt();
        } else if (size.has("height") && size.has("width")) {
            resizeH = size.get("height").asInt();
            resizeW = size.get("width").asInt();
        } else {
            throw new IllegalArgumentException("size " + size + " needs {height, width} or {shortest_edge}");
        }
        int cropH = clip ? 224 : 0;
        int cropW = cropH;
        JsonNode crop = json.get("crop_size");
        if (crop != null && !crop.isNull()) {
            if (crop.isInt()) {
                cropH = crop.asInt();
                cropW = crop.asInt();
            } else {
                cropH = crop.path("height").asInt(0);
                cropW = crop.path("width").asInt(0);
            }
        }
        return new PreprocessorConfig(
                type,
                bool(json, "do_resize", true),
                resizeH,
                resizeW,
                shortest,
                Resample.fromPilId(json.path("resample").asInt(Resample.BICUBIC.pilId())),
                bool(json, "do_center_crop", clip),
                cropH,
                cropW,
                bool(json, "do_rescale", true),
                json.path("rescale_factor").asDouble(1.0 / 255.0),
                bool(json, "do_normalize", true),
                floats(json, "image_mean", OPENAI_CLIP_MEAN),
                floats(json, "image_std", OPENAI_CLIP_STD),
                bool(json, "do_convert_rgb", true));
    }

    private static String text(JsonNode json, String key, String fallback) {
        JsonNode n = json.get(key);
        return n == null || n.isNull() ? fallback : n.asText();
    }

    private static boolean bool(JsonNode json, String key, boolean fallback) {
        JsonNode n = json.get(key);
        return n == null || n.isNull() ? fallback : n.asBoolean();
    }

    private static float[] floats(JsonNode json, String key, float[] fallback) {
        JsonNode n = json.get(key);
        if (n == null || n.isNull()) {
            return fallback.clone();
        }
        if (n.isNumber()) {
            float v = (float) n.asDouble();
            return new float[] {v, v, v};
        }
        float[] out = new float[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) n.get(i).asDouble();
        }
        return out;
    }
}
