package io.vlmtagger.operators.chat;

import io.vlmtagger.operators.stage.InferenceSettings;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.operators.runtime.ModelSpec;
import io.vlmtagger.operators.testutils.FakeChatModel;
import io.vlmtagger.operators.testutils.FakeModels;
import io.vlmtagger.operators.testutils.TestTasks;
import io.vlmtagger.schemas.ChatAnswer;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chat operator in a real Flink runtime: two subtasks on two configured devices sharing one
 * (fake) model, several interleaved conversations from a bounded source; the job ends only when
 * every question is answered, each in its conversation's order.
 */
class ChatOperatorITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @Test
    void everyConversationIsAnsweredInOrderAcrossSubtasks() throws Exception {
        FakeChatModel fake = new FakeChatModel();
        String id = FakeModels.register(fake);
        try {
            List<ImageTask> questions = new ArrayList<>();
            int conversations = 6;
            int turns = 3;
            for (int t = 1; t <= turns; t++) {
                for (int c = 0; c < conversations; c++) {
                    questions.add(TestTasks.chat("c" + c + "-q" + t, "c" + c, "img" + c, "q" + t));
                }
            }
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(2);
            ChatOperatorFactory factory = ChatOperatorFactory.builder()
                    .setModelProvider(FakeModels.chatProvider(id))
                    .setModelSpec(ModelSpec.of("/checkpoints/fake-llava"))
                    .optSettings(InferenceSettings.builder()
                            .optMaxBatchSize(4)
                            .optMaxBatchWait(Duration.ofMillis(5))
                            .optDevices(List.of("gpu:0", "gpu:1"))
                            .build())
                    .build();
            List<ChatAnswer> answers = new ArrayList<>();
            ChatOperatorFactory.apply(env.fromData(questions, TypeInformation.of(ImageTask.class)), factory)
                    .executeAndCollect().forEachRemaining(answers::add);

            assertThat(answers).hasSize(conversations * turns);
            for (int c = 0; c < conversations; c++) {
                String conv = "c" + c;
                List<String> texts = answers.stream().filter(a -> a.getConversationId().equals(conv))
                        .sorted(Comparator.comparingInt(ChatAnswer::getTurn))
                        .map(a -> a.getTurn() + ". " + a.getAnswer()).collect(Collectors.toList());
                assertThat(texts).containsExactly(
                        "1. img" + c + ": q1 (after 0 turns)",
                        "2. img" + c + ": q2 (after 1 turns)",
                        "3. img" + c + ": q3 (after 2 turns)");
            }
            assertThat(fake.devices()).containsExactlyInAnyOrder("gpu:0", "gpu:1");
            assertThat(fake.openHandles()).as("both subtasks released the model").isZero();
        } finally {
            FakeModels.unregister(id);
        }
    }
}
