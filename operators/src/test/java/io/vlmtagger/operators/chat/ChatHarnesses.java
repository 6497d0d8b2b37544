package io.vlmtagger.operators.chat;

import io.vlmtagger.operators.stage.InferenceSettings;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.operators.runtime.ModelSpec;
import io.vlmtagger.operators.testutils.FakeModels;
import io.vlmtagger.operators.testutils.RegisteredFakes;
import io.vlmtagger.schemas.ChatAnswer;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;

/** The chat operator tests' settings, keyed harness over a registered fake model, and its answers. */
final class ChatHarnesses {
    private ChatHarnesses() {}

    /** Batches of 4 sent at once, 2 attempts, no preprocessing threads, history of 8 turns for 10 minutes. */
    static InferenceSettings.Builder settings() {
        return InferenceSettings.builder()
                .optMaxBatchSize(4)
                .optMaxBatchWait(Duration.ZERO)
                .optCapacity(16)
                .optTimeout(Duration.ofHours(1))
                .optMaxAttempts(2)
                .optPreprocessThreads(0)
                .optShutdownTimeout(Duration.ofMillis(200))
                .optChatHistoryTtl(Duration.ofMinutes(10))
                .optChatHistoryMaxTurns(8);
    }

    /** A chat operator on the fake {@code fakeId} and scheduler {@code clockId}, at {@code now}; closed by {@code fakes}. */
    static KeyedOneInputStreamOperatorTestHarness<String, ImageTask, ChatAnswer> harness(RegisteredFakes fakes,
            String fakeId, String clockId, InferenceSettings settings, Instant now) throws Exception {
        ChatOperatorFactory factory = ChatOperatorFactory.builder()
                .setModelProvider(FakeModels.chatProvider(fakeId))
                .setModelSpec(ModelSpec.of("/checkpoints/fake-llava"))
                .optSettings(settings)
                .optSchedulerFactory(FakeModels.schedulerFactory(clockId))
                .optClock(Clock.fixed(now, ZoneOffset.UTC))
                .build();
        return fakes.track(new KeyedOneInputStreamOperatorTestHarness<>(factory, ChatKeys.BY_CONVERSATION, Types.STRING,
                128, 1, 0));
    }

    /** The answers the harness emitted, in order. */
    static List<ChatAnswer> answers(KeyedOneInputStreamOperatorTestHarness<?, ?, ChatAnswer> h) {
        return h.getOutput().stream().filter(o -> o instanceof StreamRecord)
                .map(o -> (ChatAnswer) ((StreamRecord<?>) o).getValue())
                .collect(Collectors.toList());
    }
}
