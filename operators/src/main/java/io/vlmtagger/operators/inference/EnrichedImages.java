package io.vlmtagger.operators.inference;

import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.ModelInfo;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.ImageRef;
import io.vlmtagger.schemas.ModelStage;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/** Builds the {@link EnrichedImage} output of the caption and chat stages. */
public final class EnrichedImages {
    public static final String STAGE_CAPTION = "caption";
    public static final String STAGE_CHAT = "chat";

    private EnrichedImages() {}

    /** A captioned image; {@code now} is both inferredAt and emittedAt. */
    public static EnrichedImage captioned(ImageTask task, GenerationResult result, List<String> tags, ModelInfo model,
                                          Instant now) {
        return base(task, STAGE_CAPTION, result, model, now)
                .setCaption(result.text())
                .setTags(new ArrayList<>(tags))
                .build();
    }

    /** An answered question about an image (written to the captions topic and the index too). */
    public static EnrichedImage answered(ImageTask task, String question, GenerationResult result, ModelInfo model,
                                         Instant now) {
        return base(task, STAGE_CHAT, result, model, now)
                .setQuestion(question)
                .setAnswer(result.text())
                .build();
    }

    private static EnrichedImage.Builder base(ImageTask task, String stage, GenerationResult result, ModelInfo model,
                                              Instant now) {
        ImageEvent e = task.event;
        List<ModelStage> models = new ArrayList<>();
        models.add(ModelStage.newBuilder().setStage(stage).setModel(model.name()).setRevision(model.revision()).build());
        io.vlmtagger.schemas.Timings timings = io.vlmtagger.schemas.Timings.newBuilder()
                .setReceivedAt(Instant.ofEpochMilli(task.receivedAtMs))
                .setInferredAt(now)
                .setEmittedAt(now)
                .setInferenceMs(result.timings() == null ? 0.0 : result.timings().totalMs())
                .build();
        return EnrichedImage.newBuilder()
                .setEventId(e.getEventId())
                .setEventTime(e.getEventTime())
                .setSource(e.getSource())
                .setImageRef(imageRef(task))
                .setImageSha256(task.imageSha256 == null ? "" : task.imageSha256)
                .setModels(models)
                .setTimings(timings)
                .setAttributes(e.getAttributes() == null ? new HashMap<>() : new HashMap<>(e.getAttributes()));
    }

    /** The URI without user-info and query (they may hold credentials), or {@code inline:<sha256>}. */
    public static String imageRef(ImageTask task) {
        Object image = task.event.getImage();
        if (image instanceof ImageRef ref) {
            return redact(ref.getUri());
        }
        return "inline:" + (task.imageSha256 == null ? "" : task.imageSha256);
    }

    static String redact(String uri) {
        try {
            URI u = new URI(uri);
            if (u.getRawUserInfo() == null && u.getRawQuery() == null) {
                return uri;
            }
            return new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), null, null).toString();
        } catch (URISyntaxException | IllegalArgumentException e) {
            int q = uri.indexOf('?');
            return q < 0 ? uri : uri.substring(0, q);
        }
    }
}
