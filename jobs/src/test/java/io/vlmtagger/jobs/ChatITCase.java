package io.vlmtagger.jobs;

import io.vlmtagger.jobs.config.JobConfig;
import io.vlmtagger.jobs.testutils.PipelineHarness;
import io.vlmtagger.operators.search.lucene.LuceneSearcher;
import io.vlmtagger.operators.testutils.FakeCaptioner;
import io.vlmtagger.operators.testutils.FakeChatModel;
import io.vlmtagger.operators.testutils.FakeImages;
import io.vlmtagger.operators.testutils.FakeModels;
import io.vlmtagger.schemas.ChatAnswer;
import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.TaskType;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chat path end to end: a question about an image, then a follow-up in the same conversation
 * once the first answer is out. The second answer must have seen the first turn (history in
 * keyed state), and both answers arrive once on the chat-answers topic (read_committed). An event
 * that asks for a caption and an answer comes out as one record with both, in the index too.
 */
class ChatITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = PipelineHarness.miniCluster();

    @TempDir
    Path tmp;

    private PipelineHarness harness;
    private String captionerId;
    private String chatId;

    @BeforeEach
    void setUp() {
        harness = new PipelineHarness(tmp);
        captionerId = FakeModels.register(new FakeCaptioner());
        chatId = FakeModels.register(new FakeChatModel());
    }

    @AfterEach
    void tearDown() {
        FakeModels.unregister(captionerId);
        FakeModels.unregister(chatId);
        harness.close();
    }

    @Test
    void aFollowUpQuestionSeesTheEarlierTurn() throws Exception {
        JobConfig config = harness.config("model.chat.checkpoint", "fake-llava");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        TaggingJob.builder().setConfig(config)
                .setCaptionerProvider(FakeModels.captionerProvider(captionerId))
                .optChatModelProvider(FakeModels.chatProvider(chatId))
                .build()
                .addTo(env);
        JobClient job = env.executeAsync("chat-itcase");
        try {
            ask("q-1", "what shape is it?");
            List<ChatAnswer> first = harness.readCommitted("chat-answers", ChatAnswer.class, 1,
                    Duration.ofSeconds(60), Duration.ZERO);
            assertThat(first).hasSize(1);
            assertThat(first.get(0).getAnswer()).isEqualTo("red square: what shape is it? (after 0 turns)");

            ask("q-2", "and its colour?");
            List<ChatAnswer> both = harness.readCommitted("chat-answers", ChatAnswer.class, 2,
                    Duration.ofSeconds(60), Duration.ofSeconds(1));
            both.sort(Comparator.comparingInt(ChatAnswer::getTurn));
            assertThat(both).hasSize(2);
            assertThat(both).extracting(ChatAnswer::getConversationId).containsOnly("conv-1");
            assertThat(both).extracting(ChatAnswer::getTurn).containsExactly(1, 2);
            assertThat(both.get(1).getEventId()).isEqualTo("q-2");
            assertThat(both.get(1).getAnswer()).isEqualTo("red square: and its colour? (after 1 turns)");

            // the answers also reach the captions topic (with question and answer) and nothing is dead-lettered
            List<EnrichedImage> enriched = harness.readCommitted("image-captions", EnrichedImage.class, 2,
                    Duration.ofSeconds(20), Duration.ZERO);
            assertThat(enriched).extracting(EnrichedImage::getAnswer)
                    .containsExactlyInAnyOrder(both.get(0).getAnswer(), both.get(1).getAnswer());
            assertThat(harness.readCommitted("image-dead-letters", io.vlmtagger.schemas.DeadLetter.class, 0,
                    Duration.ZERO, Duration.ofMillis(500))).isEmpty();

            // an event asking for a caption AND an answer: one record holding both, here and in the index
            harness.produce(b -> b.optEventIds(() -> "both-1").optTasks(List.of(TaskType.CAPTION, TaskType.CHAT))
                    .optQuestion("what shape is it?"), p -> {
                ImageEvent e = p.eventForBytes(FakeImages.image("blue circle"), "image/png");
                e.setConversationId("conv-2");
                p.send(e).get();
            });
            List<EnrichedImage> all = harness.readCommitted("image-captions", EnrichedImage.class, 3,
                    Duration.ofSeconds(60), Duration.ofSeconds(2));
            assertThat(all).filteredOn(e -> e.getEventId().equals("both-1")).singleElement().satisfies(e -> {
                assertThat(e.getCaption()).isEqualTo("a photo of blue circle");
                assertThat(e.getTags()).contains("circle");
                assertThat(e.getQuestion()).isEqualTo("what shape is it?");
                assertThat(e.getAnswer()).isEqualTo("blue circle: what shape is it? (after 0 turns)");
                assertThat(e.getModels()).extracting(m -> m.getStage()).containsExactly("caption", "chat");
            });
            assertThat(harness.awaitIndexCount(3, Duration.ofSeconds(20), Duration.ofMillis(500))).isEqualTo(3);
            try (LuceneSearcher searcher = new LuceneSearcher(harness.indexDir())) {
                assertThat(searcher.search("circle", 10)).filteredOn(h -> h.eventId().equals("both-1")).singleElement()
                        .satisfies(h -> {
                            assertThat(h.caption()).isEqualTo("a photo of blue circle");
                            assertThat(h.answer()).isEqualTo("blue circle: what shape is it? (after 0 turns)");
                        });
            }
        } finally {
            job.cancel().get();
        }
    }

    private void ask(String eventId, String question) throws Exception {
        harness.produce(b -> b.optEventIds(() -> eventId).optTasks(List.of(TaskType.CHAT)).optQuestion(question), p -> {
            ImageEvent e = p.eventForBytes(FakeImages.image("red square"), "image/png");
            e.setConversationId("conv-1");
            p.send(e).get();
        });
    }
}
