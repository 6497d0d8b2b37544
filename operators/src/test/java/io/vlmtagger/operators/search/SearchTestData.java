package io.vlmtagger.operators.search;

import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.ModelStage;
import io.vlmtagger.schemas.Timings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builds EnrichedImages for search tests. */
public final class SearchTestData {
    private SearchTestData() {}

    public static EnrichedImage image(String id, String caption, String... tags) {
        return image(id, caption, Map.of(), tags);
    }

    public static EnrichedImage image(String id, String caption, Map<String, String> attributes, String... tags) {
        Instant t = Instant.ofEpochMilli(1_700_000_000_000L);
        return EnrichedImage.newBuilder()
                .setEventId(id)
                .setEventTime(t)
                .setSource("test")
                .setImageRef("s3://bucket/" + id + ".png")
                .setImageSha256("00".repeat(32))
                .setCaption(caption)
                .setTags(new ArrayList<>(List.of(tags)))
                .setQuestion(null)
                .setAnswer(null)
                .setModels(new ArrayList<>(List.of(new ModelStage("caption", "blip2-small", "rev1"))))
                .setTimings(Timings.newBuilder().setReceivedAt(t).setInferenceMs(1.0).build())
                .setAttributes(new HashMap<>(attributes))
                .build();
    }

    /** The i-th generated image: ids "img-00042", captions with a shape and a colour. */
    public static EnrichedImage numbered(long i) {
        String[] colours = {"red", "green", "blue"};
        String[] shapes = {"circle", "square", "triangle", "star"};
        String colour = colours[(int) (i % colours.length)];
        String shape = shapes[(int) (i % shapes.length)];
        return image(String.format("img-%05d", i), "a " + colour + " " + shape + " on a white background", colour, shape);
    }
}
