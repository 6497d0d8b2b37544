package io.vlmtagger.training;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vlmtagger.models.weights.SafetensorsDtype;
import io.vlmtagger.models.weights.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * Writes the files of a HuggingFace checkpoint directory for the tiny models: {@code
 * tokenizer.json} (WordLevel over {@link TinyVocabulary}, lowercasing, whitespace/punctuation
 * split, a decoder that glues punctuation back), {@code tokenizer_config.json}, {@code
 * generation_config.json}, {@code preprocessor_config.json} (BLIP or CLIP image processor) and
 * {@code model.safetensors}. {@code config.json} comes from {@link TinyConfigs}.
 */
public final class CheckpointWriter {
    public static final ObjectMapper JSON = new ObjectMapper();
    /** OpenAI CLIP normalisation, as BLIP-2 and LLaVA processors use. */
    private static final double[] MEAN = {0.48145466, 0.4578275, 0.40821073};
    private static final double[] STD = {0.26862954, 0.26130258, 0.27577711};

    private CheckpointWriter() {}

    /** Everything but config.json and the weights. */
    public static void writeTextAndImageFiles(Path dir, boolean clipProcessor, int imageSize, int maxLength)
            throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("tokenizer.json"), tokenizerJson().toPrettyString());
        writeTokenizerAndGenerationConfig(dir, maxLength);
        Files.writeString(dir.resolve("preprocessor_config.json"), preprocessorJson(clipProcessor, imageSize).toPrettyString());
    }

    /**
     * {@code model.safetensors} in float32 with {@code {"format": "pt"}} metadata, written to a
     * temporary file first and moved into place, so a reader never sees a half-written file. Training-only
     * parameters ({@link CellProbe}'s heads) are left out.
     */
    public static void writeWeights(Path dir, Map<String, NDArray> tensors) throws IOException {
        Path tmp = dir.resolve("model.safetensors.tmp");
        Map<String, NDArray> model = new java.util.LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            if (!CellProbe.isProbeParameter(k)) {
                model.put(k, v);
            }
        });
        SafetensorsWriter.writeFile(tmp, model, SafetensorsDtype.F32, Map.of("format", "pt"));
        Files.move(tmp, dir.resolve("model.safetensors"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    public static void writeJson(Path file, ObjectNode node) throws IOException {
        Files.writeString(file, node.toPrettyString());
    }

    static ObjectNode tokenizerJson() {
        List<String> tokens = new java.util.ArrayList<>(TinyVocabulary.tokens());
        for (int id = tokens.size(); id < TinyVocabulary.size(); id++) {
            tokens.add("<extra_" + id + ">");
        }
        return tokenizerJson(tokens, TinyVocabulary.SPECIALS);
    }

    /**
     * A WordLevel {@code tokenizer.json}: {@code tokens} by id (every id below {@code tokens.size()}),
     * those in {@code specials} as special added tokens, lowercasing, whitespace/punctuation split, a
     * {@code <s>} template and a decoder that glues punctuation back.
     */
    public static ObjectNode tokenizerJson(List<String> tokens, java.util.Collection<String> specials) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int id = 0; id < tokens.size(); id++) {
            if (!specials.contains(tokens.get(id))) {
                continue;
            }
            ObjectNode t = added.addObject();
            t.put("id", id);
            t.put("content", tokens.get(id));
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        root.putObject("normalizer").put("type", "Lowercase");
        root.putObject("pre_tokenizer").put("type", "Whitespace");
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", TinyVocabulary.BOS).put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ArrayNode pair = post.putArray("pair");
        pair.addObject().putObject("SpecialToken").put("id", TinyVocabulary.BOS).put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        ObjectNode st = post.putObject("special_tokens").putObject(TinyVocabulary.BOS);
        st.put("id", TinyVocabulary.BOS);
        st.putArray("ids").add(tokens.indexOf(TinyVocabulary.BOS));
        st.putArray("tokens").add(TinyVocabulary.BOS);
        // WordPiece's decoder joins with spaces and, with cleanup, removes the space before , and ?
        root.putObject("decoder").put("type", "WordPiece").put("prefix", "##").put("cleanup", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < tokens.size(); id++) {
            vocab.put(tokens.get(id), id);
        }
        model.put("unk_token", TinyVocabulary.UNK);
        return root;
    }

    /** {@code tokenizer_config.json} and {@code generation_config.json} with the tiny vocabulary's special tokens. */
    public static void writeTokenizerAndGenerationConfig(Path dir, int maxLength) throws IOException {
        Files.createDirectories(dir);
        ObjectNode tc = JSON.createObjectNode();
        tc.put("tokenizer_class", "PreTrainedTokenizerFast");
        tc.put("bos_token", TinyVocabulary.BOS);
        tc.put("eos_token", TinyVocabulary.EOS);
        tc.put("pad_token", TinyVocabulary.PAD);
        tc.put("unk_token", TinyVocabulary.UNK);
        tc.put("padding_side", "left");
        tc.put("model_max_length", maxLength);
        Files.writeString(dir.resolve("tokenizer_config.json"), tc.toPrettyString());
        ObjectNode gen = JSON.createObjectNode();
        gen.put("bos_token_id", TinyVocabulary.BOS_ID);
        gen.put("eos_token_id", TinyVocabulary.EOS_ID);
        gen.put("pad_token_id", TinyVocabulary.PAD_ID);
        gen.put("transformers_version", "4.40.2");
        Files.writeString(dir.resolve("generation_config.json"), gen.toPrettyString());
    }

    /** {@code preprocessor_config.json} of {@code IdeficsImageProcessor} (square resize, OpenAI CLIP mean/std). */
    public static ObjectNode ideficsPreprocessorJson(int imageSize) {
        ObjectNode p = JSON.createObjectNode();
        p.put("image_processor_type", "IdeficsImageProcessor");
        p.put("processor_class", "IdeficsProcessor");
        p.put("image_size", imageSize);
        p.put("image_num_channels", 3);
        ArrayNode mean = p.putArray("image_mean");
        ArrayNode std = p.putArray("image_std");
        for (int i = 0; i < 3; i++) {
            mean.add(MEAN[i]);
            std.add(STD[i]);
        }
        return p;
    }

    static ObjectNode preprocessorJson(boolean clip, int imageSize) {
        ObjectNode p = JSON.createObjectNode();
        p.put("image_processor_type", clip ? "CLIPImageProcessor" : "BlipImageProcessor");
        p.put("processor_class", clip ? "LlavaProcessor" : "Blip2Processor");
        p.put("do_resize", true);
        if (clip) {
            p.putObject("size").put("shortest_edge", imageSize);
            p.put("do_center_crop", true);
            p.putObject("crop_size").put("height", imageSize).put("width", imageSize);
        } else {
            p.putObject("size").put("height", imageSize).put("width", imageSize);
        }
        p.put("resample", 3);
        p.put("do_rescale", true);
        p.put("rescale_factor", 1.0 / 255);
        p.put("do_normalize", true);
        ArrayNode mean = p.putArray("image_mean");
        ArrayNode std = p.putArray("image_std");
        for (int i = 0; i < 3; i++) {
            mean.add(MEAN[i]);
            std.add(STD[i]);
        }
        p.put("do_convert_rgb", true);
        return p;
    }
}
