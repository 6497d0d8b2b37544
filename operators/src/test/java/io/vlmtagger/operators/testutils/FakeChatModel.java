package io.vlmtagger.operators.testutils;

import io.vlmtagger.models.api.ChatRequest;
import io.vlmtagger.models.api.ChatTurn;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.ImageDecodeException;
import io.vlmtagger.models.api.ModelInfo;
import io.vlmtagger.models.api.PixelValues;
import io.vlmtagger.models.api.VisualChatModel;

import java.util.ArrayList;
import java.util.List;

/**
 * A controllable {@link VisualChatModel} (see {@link FakeModel}). The answer to question {@code q}
 * about image {@code x} with {@code n} earlier turns is {@code "x: q (after n turns)"}, so tests
 * can see which history the model got. Call labels are {@code image|question}.
 */
public final class FakeChatModel extends FakeModel<ChatRequest> implements VisualChatModel {

    public FakeChatModel() {
        super(new ModelInfo("fake-llava", "rev-7", "cpu", "float32"));
    }

    @Override
    public PixelValues preprocess(byte[] encodedImage) throws ImageDecodeException {
        return FakeImages.decode(encodedImage, this);
    }

    @Override
    public List<GenerationResult> answer(List<ChatRequest> requests, GenerationOptions options) {
        List<String> labels = new ArrayList<>();
        for (ChatRequest r : requests) {
            labels.add(FakeImages.label(r.pixels()) + "|" + r.question() + "|" + r.history().size());
        }
        return run(requests, labels, FakeChatModel::answerOf);
    }

    static String answerOf(String label) {
        String[] p = label.split("\\|", -1);
        return p[0] + ": " + p[1] + " (after " + p[2] + " turns)";
    }

    /** The history the model saw for request {@code i} of a call. */
    public static List<ChatTurn> historyOf(FakeModel.Call<ChatRequest> call, int i) {
        return call.requests().get(i).history();
    }

    @Override
    public int maxContextTokens() {
        return 4096;
    }

    public FakeChatModel open(String device) {
        onOpen(device);
        return this;
    }

    @Override
    public void close() {
        onClose();
    }
}
