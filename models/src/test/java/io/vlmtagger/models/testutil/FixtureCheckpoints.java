package io.vlmtagger.models.testutil;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmtagger.models.weights.CheckpointDirectory;
import io.vlmtagger.models.weights.CheckpointDirectory.ImageProcessor;
import io.vlmtagger.models.weights.CheckpointDirectory.WordLevelTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shared parity fixtures ({@code <shared>/fixtures/hf-parity/*}) made into complete checkpoints
 * for tests: the fixtures hold weights and configs only, so {@link #completeCheckpoint} copies one
 * into a directory and adds (through {@link CheckpointDirectory}, the project's checkpoint writer)
 * a small WordLevel {@code tokenizer.json} (vocabulary size = the model's, special ids = the
 * fixture's, plus a few prompt words), a {@code tokenizer_config.json} and a {@code
 * preprocessor_config.json} whose image size is the fixture's.
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
     * (a BLIP-2/OPT or LLaVA/Llama one): a word-level vocabulary of the config's size (the special
     * tokens of the generation config, then {@link #PROMPT_WORDS}, then {@code w<id>} fillers), the
     * config's image size.
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
            List<String> tokens = new ArrayList<>(vocab);
            int nextWord = 0;
            for (int id = 0; id < vocab; id++) {
                tokens.add(specials.containsKey(id) ? specials.get(id)
                        : nextWord < PROMPT_WORDS.size() ? PROMPT_WORDS.get(nextWord++) : "w" + id);
            }
            WordLevelTokenizer tokenizer = new WordLevelTokenizer(tokens, specials.values(), specials.get(bos),
                    specials.get(eos), specials.get(pad),
                    specials.containsValue("<unk>") ? "<unk>" : specials.values().iterator().next(), false, false);
            CheckpointDirectory.at(target).writeTokenizer(tokenizer)
                    .writeTokenizerConfig(tokenizer, config.path("text_config").path("max_position_embeddings").asInt())
                    .writePreprocessor(llava ? ImageProcessor.CLIP : ImageProcessor.BLIP, imageSize);
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
}
