package io.vlmtagger.models.weights;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vlmtagger.models.preprocess.PreprocessorConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes the files of a HuggingFace checkpoint directory, the way {@code save_pretrained} lays
 * them out and the loaders of this module read them: {@code config.json}, {@code
 * generation_config.json}, {@code model.safetensors} ({@link SafetensorsWriter}, written to a
 * temporary file and moved into place so that a reader never sees half a file), a WordLevel
 * {@code tokenizer.json} with its {@code tokenizer_config.json}, and {@code
 * preprocessor_config.json}. The one checkpoint writer of the project: the trainers' tiny
 * checkpoints, the tests' fixture checkpoints and the benchmarks' random ones all go through it.
 */
public final class CheckpointDirectory {
    /**
     * The OpenAI CLIP normalisation as the processors' files spell it (read back, these are {@link
     * PreprocessorConfig#OPENAI_CLIP_MEAN} and {@link PreprocessorConfig#OPENAI_CLIP_STD}).
     */
    private static final double[] CLIP_MEAN = {0.48145466, 0.4578275, 0.40821073};
    private static final double[] CLIP_STD = {0.26862954, 0.26130258, 0.27577711};

    private final Path dir;

    private CheckpointDirectory(Path dir) {
        this.dir = dir;
    }

    /** The checkpoint directory {@code dir}, created if it does not exist. */
    public static CheckpointDirectory at(Path dir) throws IOException {
        Files.createDirectories(dir);
        return new CheckpointDirectory(dir);
    }

    /** An empty JSON object to build a {@code config.json} (or another file) in. */
    public static ObjectNode newObject() {
        return JsonNodeFactory.instance.objectNode();
    }

    public Path path() {
        return dir;
    }

    /** {@code config.json}. */
    public CheckpointDirectory writeConfig(JsonNode config) throws IOException {
        return writeJson("config.json", config);
    }

    /** {@code fileName} in the directory, pretty-printed. */
    public CheckpointDirectory writeJson(String fileName, JsonNode node) throws IOException {
        Files.writeString(dir.resolve(fileName), node.toPrettyString());
        return this;
    }

    /** {@code generation_config.json} with the special token ids (transformers 4.40.2 layout). */
    public CheckpointDirectory writeGenerationConfig(long bosId, long eosId, long padId) throws IOException {
        ObjectNode gen = newObject();
        gen.put("bos_token_id", bosId);
        gen.put("eos_token_id", eosId);
        gen.put("pad_token_id", padId);
        gen.put("transformers_version", "4.40.2");
        return writeJson("generation_config.json", gen);
    }

    /**
     * {@code model.safetensors}: floating-point tensors in {@code floatDtype}, {@code {"format":
     * "pt"}} metadata, in map order; written next to it first and moved into place atomically.
     */
    public CheckpointDirectory writeWeights(Map<String, NDArray> tensors, SafetensorsDtype floatDtype)
            throws IOException {
        Path tmp = dir.resolve(CheckpointFiles.SINGLE_FILE + ".tmp");
        SafetensorsWriter.writeFile(tmp, tensors, floatDtype, Map.of("format", "pt"));
        Files.move(tmp, dir.resolve(CheckpointFiles.SINGLE_FILE), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        return this;
    }

    /** {@code tokenizer.json} of {@code tokenizer}. */
    public CheckpointDirectory writeTokenizer(WordLevelTokenizer tokenizer) throws IOException {
        return writeJson("tokenizer.json", tokenizer.json());
    }

    /**
     * {@code tokenizer_config.json}: a fast tokenizer with {@code tokenizer}'s special token strings,
     * left padding, {@code model_max_length = maxLength}.
     */
    public CheckpointDirectory writeTokenizerConfig(WordLevelTokenizer tokenizer, int maxLength) throws IOException {
        ObjectNode tc = newObject();
        tc.put("tokenizer_class", "PreTrainedTokenizerFast");
        putIfPresent(tc, "bos_token", tokenizer.bos());
        putIfPresent(tc, "eos_token", tokenizer.eos());
        putIfPresent(tc, "pad_token", tokenizer.pad());
        putIfPresent(tc, "unk_token", tokenizer.unk());
        tc.put("padding_side", "left");
        tc.put("model_max_length", maxLength);
        return writeJson("tokenizer_config.json", tc);
    }

    /** {@code preprocessor_config.json} of {@code processor} for square {@code imageSize} images. */
    public CheckpointDirectory writePreprocessor(ImageProcessor processor, int imageSize) throws IOException {
        return writeJson("preprocessor_config.json", processor.json(imageSize));
    }

    private static void putIfPresent(ObjectNode node, String key, String value) {
        if (value != null) {
            node.put(key, value);
        }
    }

    /** The image processors the loaders read, with the OpenAI CLIP mean and std ({@link PreprocessorConfig}). */
    public enum ImageProcessor {
        /** BLIP-2's {@code BlipImageProcessor}: resize to {@code size {height, width}}, bicubic. */
        BLIP,
        /** LLaVA's {@code CLIPImageProcessor}: shortest edge, centre crop, bicubic. */
        CLIP,
        /** IDEFICS' {@code IdeficsImageProcessor}: square resize to {@code image_size}. */
        IDEFICS;

        /** The {@code preprocessor_config.json} content. */
        public ObjectNode json(int imageSize) {
            ObjectNode p = newObject();
            p.put("image_processor_type", switch (this) {
                case BLIP -> PreprocessorConfig.BLIP;
                case CLIP -> PreprocessorConfig.CLIP;
                case IDEFICS -> "IdeficsImageProcessor";
            });
            p.put("processor_class", switch (this) {
                case BLIP -> "Blip2Processor";
                case CLIP -> "LlavaProcessor";
                case IDEFICS -> "IdeficsProcessor";
            });
            if (this == IDEFICS) {
                p.put("image_size", imageSize);
                p.put("image_num_channels", 3);
                putMeanAndStd(p);
                return p;
            }
            p.put("do_resize", true);
            if (this == CLIP) {
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
            putMeanAndStd(p);
            p.put("do_convert_rgb", true);
            return p;
        }

        private static void putMeanAndStd(ObjectNode p) {
            ArrayNode mean = p.putArray("image_mean");
            ArrayNode std = p.putArray("image_std");
            for (int i = 0; i < 3; i++) {
                mean.add(CLIP_MEAN[i]);
                std.add(CLIP_STD[i]);
            }
        }
    }

    /**
     * A WordLevel {@code tokenizer.json}: {@code tokens} by id (every id below {@code
     * tokens.size()}), those in {@code specials} as special added tokens, a whitespace/punctuation
     * pre-tokenizer.
     *
     * @param bos prepended by the post-processor template when special tokens are added; null for
     *     no template
     * @param eos the end token's string (for {@code tokenizer_config.json}), or null
     * @param pad the padding token's string, or null
     * @param unk what unknown words become (must be one of {@code tokens})
     * @param lowercase whether a {@code Lowercase} normalizer runs first
     * @param gluePunctuation whether decoding joins with spaces and removes those before {@code ,}
     *     {@code ?} {@code .} (the WordPiece decoder with cleanup), else no decoder
     */
    public record WordLevelTokenizer(List<String> tokens, Collection<String> specials, String bos, String eos,
            String pad, String unk, boolean lowercase, boolean gluePunctuation) {

        public WordLevelTokenizer {
            tokens = List.copyOf(tokens);
            specials = List.copyOf(specials);
            Objects.requireNonNull(unk, "unk");
            if (!tokens.contains(unk) || (bos != null && !tokens.contains(bos))) {
                throw new IllegalArgumentException("the unknown and bos tokens must be in the vocabulary");
            }
        }

        /** The {@code tokenizer.json} content. */
        public ObjectNode json() {
            ObjectNode root = newObject();
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
            if (lowercase) {
                root.putObject("normalizer").put("type", "Lowercase");
            } else {
                root.putNull("normalizer");
            }
            root.putObject("pre_tokenizer").put("type", "Whitespace");
            if (bos != null) {
                ObjectNode post = root.putObject("post_processor");
                post.put("type", "TemplateProcessing");
                ArrayNode single = post.putArray("single");
                single.addObject().putObject("SpecialToken").put("id", bos).put("type_id", 0);
                single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
                ArrayNode pair = post.putArray("pair");
                pair.addObject().putObject("SpecialToken").put("id", bos).put("type_id", 0);
                pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
                pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
                ObjectNode st = post.putObject("special_tokens").putObject(bos);
                st.put("id", bos);
                st.putArray("ids").add(tokens.indexOf(bos));
                st.putArray("tokens").add(bos);
            } else {
                root.putNull("post_processor");
            }
            if (gluePunctuation) {
                // WordPiece's decoder joins with spaces and, with cleanup, removes the space before , and ?
                root.putObject("decoder").put("type", "WordPiece").put("prefix", "##").put("cleanup", true);
            } else {
                root.putNull("decoder");
            }
            ObjectNode model = root.putObject("model");
            model.put("type", "WordLevel");
            ObjectNode vocab = model.putObject("vocab");
            for (int id = 0; id < tokens.size(); id++) {
                vocab.put(tokens.get(id), id);
            }
            model.put("unk_token", unk);
            return root;
        }
    }
}
