package io.vlmtagger.models.testutil;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shared parity fixtures ({@code <shared>/fixtures/hf-parity/*}) made into complete checkpoints
 * for tests: the fixtures hold weights and configs only, so {@link #completeCheckpoint} copies one
 * into a directory and adds a small WordLevel {@code tokenizer.json} (vocabulary size = the
 * model's, special ids = the fixture's, plus a few prompt words), a {@code tokenizer_config.json}
 * and a {@code preprocessor_config.json} whose image size is the fixture's.
 *
 * <p>The shared directory comes from the system property {@code vlm.shared.dir} (set by the parent
 * pom's surefire configuration), else {@code ../shared} relative to the working directory's repository.
 */
public final class FixtureCheckpoints {
    public static final String BLIP2_OPT_TINY = "blip2-opt-tiny";
    public static final String LLAVA_LLAMA_TINY = "llava-llama-tiny";

    /** Words given their own ids (after the special tokens) so that prompts and templates tokenize. */
    public static final List<String> PROMPT_WORDS = List.of(
            "USER", "ASSISTANT", ":", "a", "photo", "of", "what", "is", "in", "the", "image", "?",
            "describe", "this", "picture", "dog", "cat", "and", "color", ".");

    private static final ObjectMapper JSON = new ObjectMapper();

    private FixtureCheckpoints() {}

    /** {@code <shared>}: from {@code vlm.shared.dir}, else the first {@code shared} sibling found upwards. */
    public static Path sharedDir() {
        String prop = System.getProperty("vlm.shared.dir");
        if (prop != null && Files.isDirectory(Paths.get(prop))) {
            return Paths.get(prop);
        }
        Path dir = Paths.get("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolveSibling("shared");
            if (Files.isDirectory(candidate.resolve("fixtures"))) {
                return candidate;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("no shared fixtures directory: set -Dvlm.shared.dir=/path/to/shared");
    }

    /** The raw fixture directory (weights, configs, io.safetensors). */
    public static Path fixture(String name) {
        Path dir = sharedDir().resolve("fixtures").resolve("hf-parity").resolve(name);
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("fixture " + name + " not found at " + dir);
        }
        return dir;
    }

    /** Copies fixture {@code name} into {@code target} (created) and adds tokenizer and preprocessor files. */
    public static Path completeCheckpoint(String name, Path target) {
        Path source = fixture(name);
        try {
            Files.createDirectories(target);
            for (String file : List.of("config.json", "generation_config.json", "model.safetensors")) {
                Files.copy(source.resolve(file), target.resolve(file));
            }
            return addTokenizerAndPreprocessor(target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot complete fixture " + name + " into " + target, e);
        }
    }

    /**
     * Writes {@code tokenizer.json}, {@code tokenizer_config.json} and {@code preprocessor_config.json}
     * into a checkpoint directory that has its {@code config.json} and {@code generation_config.json}
     * (a BLIP-2/OPT or LLaVA/Llama one): a word-level vocabulary of the config's size, the special
     * tokens of the generation config, the config's image size.
     */
    public static Path addTokenizerAndPreprocessor(Path target) {
        try {
            JsonNode config = JSON.readTree(target.resolve("config.json").toFile());
            JsonNode generation = JSON.readTree(target.resolve("generation_config.json").toFile());
            int vocab = config.path("text_config").path("vocab_size").asInt();
            int imageSize = config.path("vision_config").path("image_size").asInt();
            boolean llava = "llava".equals(config.path("model_type").asText());
            Map<Integer, String> specials = new LinkedHashMap<>();
            int bos = generation.path("bos_token_id").asInt();
            int eos = generation.path("eos_token_id").asInt();
            int pad = generation.path("pad_token_id").asInt();
            if (llava) {
                specials.put(0, "<unk>");
                specials.put(bos, "<s>");
                specials.put(eos, "</s>");
                specials.put(pad, "<pad>");
                specials.put(config.path("image_token_index").asInt(), "<image>");
            } else {
                specials.put(0, "<s>"); // OPT: id 0 is <s>, 1 <pad>, 2 </s> (bos = eos), 3 <unk>
                specials.put(pad, "<pad>");
                specials.put(eos, "</s>");
                specials.put(3, "<unk>");
            }
            String bosToken = specials.get(bos);
            Files.writeString(target.resolve("tokenizer.json"), tokenizerJson(vocab, specials, bosToken, bos));
            ObjectNode tc = JSON.createObjectNode();
            tc.put("bos_token", bosToken);
            tc.put("eos_token", specials.get(eos));
            tc.put("pad_token", specials.get(pad));
            tc.put("unk_token", specials.get(llava ? 0 : 3));
            tc.put("add_bos_token", true);
            tc.put("padding_side", "left");
            tc.put("model_max_length", config.path("text_config").path("max_position_embeddings").asInt());
            Files.writeString(target.resolve("tokenizer_config.json"), tc.toPrettyString());
            Files.writeString(target.resolve("preprocessor_config.json"), preprocessorJson(llava, imageSize));
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write tokenizer and preprocessor files into " + target, e);
        }
    }

    /** Id of {@code word} (one of {@link #PROMPT_WORDS}) in the tokenizer written for fixture {@code name}. */
    public static int wordId(String name, String word) {
        int idx = PROMPT_WORDS.indexOf(word);
        if (idx < 0) {
            throw new IllegalArgumentException(word + " is not one of " + PROMPT_WORDS);
        }
        // the words fill the ids after the low special tokens: LLaVA 0-2 (<unk>, <s>, </s>), OPT 0-3
        return (LLAVA_LLAMA_TINY.equals(name) ? 3 : 4) + idx;
    }

    private static String tokenizerJson(int vocabSize, Map<Integer, String> specials, String bosToken, int bosId) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        specials.forEach((id, content) -> {
            ObjectNode t = added.addObject();
            t.put("id", id);
            t.put("content", content);
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        });
        root.putNull("normalizer");
        root.putObject("pre_tokenizer").put("type", "Whitespace");
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", bosToken).put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ArrayNode pair = post.putArray("pair");
        pair.addObject().putObject("SpecialToken").put("id", bosToken).put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        ObjectNode st = post.putObject("special_tokens").putObject(bosToken);
        st.put("id", bosToken);
        st.putArray("ids").add(bosId);
        st.putArray("tokens").add(bosToken);
        root.putNull("decoder");
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode vocab = model.putObject("vocab");
        int nextWord = 0;
        for (int id = 0; id < vocabSize; id++) {
            if (specials.containsKey(id)) {
                vocab.put(specials.get(id), id);
            } else if (nextWord < PROMPT_WORDS.size()) {
                vocab.put(PROMPT_WORDS.get(nextWord++), id);
            } else {
                vocab.put("w" + id, id);
            }
        }
        model.put("unk_token", specials.containsValue("<unk>") ? "<unk>" : specials.values().iterator().next());
        return root.toPrettyString();
    }

    private static String preprocessorJson(boolean clip, int imageSize) {
        ObjectNode p = JSON.createObjectNode();
        p.put("image_processor_type", clip ? "CLIPImageProcessor" : "BlipImageProcessor");
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
        p.putArray("image_mean").add(0.48145466).add(0.4578275).add(0.40821073);
        p.putArray("image_std").add(0.26862954).add(0.26130258).add(0.27577711);
        p.put("do_convert_rgb", true);
        return p.toPrettyString();
    }
}
