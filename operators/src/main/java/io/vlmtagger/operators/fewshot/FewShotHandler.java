package io.vlmtagger.operators.fewshot;

import io.vlmtagger.models.api.FewShotAnswer;
import io.vlmtagger.models.api.FewShotQuery;
import io.vlmtagger.models.api.FewShotTagger;
import io.vlmtagger.models.api.ImageDecodeException;
import io.vlmtagger.models.api.LabeledExample;
import io.vlmtagger.operators.runtime.InferenceRuntime;
import io.vlmtagger.operators.runtime.ModelHandler;
import io.vlmtagger.schemas.Exemplar;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The few-shot stage's part of the runtime: decode and resize the query image, and tag a batch
 * whose rows may belong to different label sets. A row's exemplars are prepared by the model once
 * per version ({@link ExemplarCache}), on the device's thread inside the batch, not once per event.
 */
final class FewShotHandler implements ModelHandler<FewShotInput, FewShotAnswer> {
    private final FewShotTagger model;
    private final ExemplarCache cache;

    FewShotHandler(FewShotTagger model, ExemplarCache cache) {
        this.model = model;
        this.cache = cache;
    }

    static InferenceRuntime.Builder<FewShotInput, FewShotAnswer> runtime(FewShotTagger model, ExemplarCache cache) {
        return InferenceRuntime.<FewShotInput, FewShotAnswer>builder().setHandler(new FewShotHandler(model, cache));
    }

    @Override
    public FewShotInput preprocess(FewShotInput input) throws ImageDecodeException {
        input.preprocessOnce(model::preprocess, "few-shot tagging");
        return input;
    }

    @Override
    public List<FewShotAnswer> runBatch(List<FewShotInput> batch) throws Exception {
        List<FewShotQuery> queries = new ArrayList<>(batch.size());
        for (FewShotInput input : batch) {
            queries.add(new FewShotQuery(cache.get(input.exemplarVersion, () -> model.prepare(examples(input))),
                    input.pixels()));
        }
        return model.tag(queries);
    }

    private static List<LabeledExample> examples(FewShotInput input) {
        List<LabeledExample> examples = new ArrayList<>(input.exemplars.size());
        for (Exemplar e : input.exemplars) {
            examples.add(new LabeledExample(bytes(e.getImage()), e.getTags(), e.getCaption()));
        }
        return examples;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
