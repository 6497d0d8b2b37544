package io.vlmtagger.operators.results;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.ModelStage;
import io.vlmtagger.schemas.Timings;

/**
 * Folds the parts of one event (caption, chat answer, few-shot tags) into one {@link EnrichedImage}:
 * the identity fields of the first part; caption, question and answer from the parts that have
 * them; tags and models concatenated without duplicates (in part order); attributes merged; timings
 * from the earliest receipt to the latest inference, model time summed, emitted at {@code now}.
 */
final class EnrichedImageMerge {
    private EnrichedImageMerge() {}

    /** @param parts at least one, in output order */
    static EnrichedImage merge(List<EnrichedImage> parts, Instant now) {
        EnrichedImage first = parts.get(0);
        EnrichedImage.Builder out = EnrichedImage.newBuilder(first);
        LinkedHashSet<String> tags = new LinkedHashSet<>();
        List<ModelStage> models = new ArrayList<>();
        Map<String, String> attributes = new HashMap<>();
        Instant receivedAt = null;
        Instant inferredAt = null;
        double inferenceMs = 0;
        for (EnrichedImage p : parts) {
            if (p.getCaption() != null) {
                out.setCaption(p.getCaption());
            }
            if (p.getAnswer() != null) {
                out.setQuestion(p.getQuestion()).setAnswer(p.getAnswer());
            }
            if (out.getImageSha256().isEmpty()) {
                out.setImageSha256(p.getImageSha256());
            }
            tags.addAll(p.getTags());
            for (ModelStage m : p.getModels()) {
                if (!models.contains(m)) {
                    models.add(m);
                }
            }
            attributes.putAll(p.getAttributes());
            Timings t = p.getTimings();
            receivedAt = receivedAt == null || t.getReceivedAt().isBefore(receivedAt) ? t.getReceivedAt() : receivedAt;
            if (t.getInferredAt() != null && (inferredAt == null || t.getInferredAt().isAfter(inferredAt))) {
                inferredAt = t.getInferredAt();
            }
            inferenceMs += t.getInferenceMs();
        }
        return out.setTags(new ArrayList<>(tags))
                .setModels(models)
                .setAttributes(attributes)
                .setTimings(Timings.newBuilder().setReceivedAt(receivedAt).setInferredAt(inferredAt)
                        .setEmittedAt(now).setInferenceMs(inferenceMs).build())
                .build();
    }
}
