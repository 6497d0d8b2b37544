package io.vlmtagger.operators.chat;

import io.vlmtagger.models.api.ChatRequest;
import io.vlmtagger.models.api.ChatTurn;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.VisualChatModel;
import io.vlmtagger.training.dataset.CaptionGrammar;
import io.vlmtagger.training.dataset.ImageFormat;
import io.vlmtagger.training.dataset.Scene;
import io.vlmtagger.training.dataset.ShapesDataset;
import io.vlmtagger.models.pipeline.LlavaChatModel;
import io.vlmtagger.operators.stage.InferenceOptions;
import io.vlmtagger.operators.stage.InferenceSettings;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.operators.runtime.ModelProvider;
import io.vlmtagger.operators.runtime.ModelSpec;
import io.vlmtagger.operators.testutils.Mailboxes;
import io.vlmtagger.operators.testutils.TestTasks;
import io.vlmtagger.schemas.ChatAnswer;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chat operator on the shipped tiny-llava-shapes checkpoint with continuous batching: answers
 * (follow-ups included, with their history) equal what the model's static {@code answer} gives
 * each question alone.
 */
class ChatOperatorShippedModelTest {
    private static final int MAX_NEW = 4;

    private static final String SHIPPED = "checkpoints/tiny-llava-shapes";
    private static final List<String> FILES = List.of("config.json", "generation_config.json", "model.safetensors",
            "preprocessor_config.json", "tokenizer.json", "tokenizer_config.json");

    @Test
    void continuousAnswersEqualStaticAnswersWithHistory(@TempDir Path tmp) throws Exception {
        String checkpoint = copyShipped(tmp).toString();
        ModelProvider<VisualChatModel> provider = (spec, device) ->
                LlavaChatModel.builder().setCheckpoint(Path.of(spec.checkpointDir())).optDevice(device).build();
        InferenceSettings settings = InferenceSettings.builder()
                .opt(InferenceOptions.CHAT_MAX_NEW_TOKENS, MAX_NEW)
                .optMaxBatchSize(4)
                .optCapacity(16)
                .optPreprocessThreads(1)
                .optChatContinuousBatching(true)
                .build();
        ChatOperatorFactory factory = ChatOperatorFactory.builder()
                .setModelProvider(provider)
                .setModelSpec(ModelSpec.of(checkpoint))
                .optSettings(settings)
                .build();

        ShapesDataset data = ShapesDataset.builder().setSeed(21).build();
        List<ImageTask> tasks = new ArrayList<>();
        List<byte[]> images = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Scene scene = data.scene(i % 3);
            String type = CaptionGrammar.QUESTION_TYPES.get(i % CaptionGrammar.QUESTION_TYPES.size());
            ImageTask t = TestTasks.chat("e" + i, "conv" + (i % 3), "unused",
                    CaptionGrammar.question(scene, type, data.random(i)).question());
            t.imageBytes = ImageFormat.PNG.encode(data.render(scene));
            t.imageSha256 = TestTasks.sha256(t.imageBytes);
            tasks.add(t);
            images.add(t.imageBytes);
        }
        List<ChatAnswer> answers;
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(factory, ChatKeys.BY_CONVERSATION, Types.STRING, 128, 1, 0)) {
            h.open();
            assertThat(((ChatOperator) h.getOperator()).inferenceMode()).isEqualTo("continuous");
            for (int i = 0; i < tasks.size(); i++) {
                h.processElement(tasks.get(i), i);
            }
            Mailboxes.drainUntil(h, () -> outputs(h).size() == tasks.size(), Duration.ofSeconds(60));
            answers = outputs(h);
        }

        try (LlavaChatModel model = (LlavaChatModel) provider.acquire(ModelSpec.of(checkpoint), "cpu")) {
            for (int i = 0; i < tasks.size(); i++) {
                String conversation = "conv" + (i % 3);
                List<ChatTurn> history = new ArrayList<>();
                ChatAnswer answer = null;
                for (ChatAnswer a : answers) {
                    if (a.getConversationId().equals(conversation)) {
                        if (a.getEventId().equals("e" + i)) {
                            answer = a;
                            break;
                        }
                        history.add(new ChatTurn(a.getQuestion(), a.getAnswer()));
                    }
                }
                assertThat(answer).as("answer to e%d", i).isNotNull();
                assertThat(answer.getTurn()).isEqualTo(history.size() + 1);
                String alone = model.answer(List.of(new ChatRequest(model.preprocess(images.get(i)), history,
                        tasks.get(i).event.getQuestion())), GenerationOptions.greedy(MAX_NEW)).get(0).text();
                assertThat(answer.getAnswer()).as("e%d (turn %d)", i, answer.getTurn()).isEqualTo(alone);
            }
        }
    }

    /** The models jar's checkpoint, copied out of the jar (or classes folder) to a directory. */
    private static Path copyShipped(Path tmp) throws Exception {
        ClassLoader cl = ChatOperatorShippedModelTest.class.getClassLoader();
        assertThat(cl.getResource(SHIPPED + "/config.json")).as("the models jar ships " + SHIPPED).isNotNull();
        Path dir = tmp.resolve("tiny-llava-shapes");
        Files.createDirectories(dir);
        for (String name : FILES) {
            try (InputStream in = cl.getResourceAsStream(SHIPPED + "/" + name)) {
                if (in != null) {
                    Files.copy(in, dir.resolve(name));
                }
            }
        }
        return dir;
    }

    private static List<ChatAnswer> outputs(KeyedOneInputStreamOperatorTestHarness<?, ?, ChatAnswer> h) {
        return h.getOutput().stream().filter(o -> o instanceof StreamRecord)
                .map(o -> (ChatAnswer) ((StreamRecord<?>) o).getValue())
                .collect(Collectors.toList());
    }
}
