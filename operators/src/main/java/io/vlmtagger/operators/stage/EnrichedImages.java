package io.vlmtagger.operators.stage;

import org.apache.flink.annotation.Internal;
import io.vlmtagger.models.api.ModelInfo;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.ImageRef;
import io.vlmtagger.schemas.ModelStage;
import io.vlmtagger.schemas.Timings;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/** What every stage's {@link EnrichedImage} shares: the event's identity, the model stage, the timings. */
@Internal
public final class EnrichedImages {

    private EnrichedImages() {}

    /**
     * A builder with the event's fields, the image reference, the model that ran as {@code stage},
     * its inference time, and {@code now} as both inferredAt and emittedAt; the stage adds its
     * results (caption and tags, question and answer, ...).
     */
    public static EnrichedImage.Builder base(ImageTask task, String stage, ModelInfo model, double inferenceMs,
                                             Instant now) {
        ImageEvent e = task.event;
        List<ModelStage> models = new ArrayList<>();
        models.add(ModelStage.newBuilder().setStage(stage).setModel(model.name()).setRevision(model.revision()).build());
        Timings timings = Timings.newBuilder()
                .setReceivedAt(Instant.ofEpochMilli(task.receivedAtMs))
                .setInferredAt(now)
                .setEmittedAt(now)
                .setInferenceMs(inferenceMs)
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
