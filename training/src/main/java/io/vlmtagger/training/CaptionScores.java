package io.vlmtagger.training;

import io.vlmtagger.training.dataset.CaptionGrammar;
import io.vlmtagger.training.dataset.Scene;
import io.vlmtagger.training.dataset.SceneObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Caption accuracy over a held-out set: exact match of the whole caption, and per attribute
 * (object count; size, colour and shape of each true object, compared with the object the
 * caption names at the same place, left to right).
 */
public final class CaptionScores {
    private int images;
    private int exact;
    private int countRight;
    private int objects;
    private int sizeRight;
    private int colorRight;
    private int shapeRight;
    private final List<String> mistakes = new ArrayList<>();

    /** Scores one generated caption against its scene. */
    public void add(Scene scene, String generated) {
        images++;
        String expected = scene.caption();
        String got = normalize(generated);
        if (got.equals(expected)) {
            exact++;
        } else if (mistakes.size() < 10) {
            mistakes.add("expected \"" + expected + "\", got \"" + got + "\"");
        }
        List<String[]> parsed = CaptionGrammar.parse(got);
        if (parsed.size() == scene.objects().size()) {
            countRight++;
        }
        for (int i = 0; i < scene.objects().size(); i++) {
            SceneObject o = scene.objects().get(i);
            objects++;
            if (i < parsed.size()) {
                String[] p = parsed.get(i);
                sizeRight += p[0].equals(o.sizeWord()) ? 1 : 0;
                colorRight += p[1].equals(o.color().word()) ? 1 : 0;
                shapeRight += p[2].equals(o.kind().word()) ? 1 : 0;
            }
        }
    }

    /** Whitespace collapsed, no space before {@code ,}, lowercase. */
    static String normalize(String caption) {
        return caption.strip().toLowerCase(java.util.Locale.ROOT).replaceAll("\\s+", " ").replace(" ,", ",");
    }

    public int images() {
        return images;
    }

    public double exactMatch() {
        return ratio(exact, images);
    }

    public double countAccuracy() {
        return ratio(countRight, images);
    }

    public double sizeAccuracy() {
        return ratio(sizeRight, objects);
    }

    public double colorAccuracy() {
        return ratio(colorRight, objects);
    }

    public double shapeAccuracy() {
        return ratio(shapeRight, objects);
    }

    public List<String> mistakes() {
        return List.copyOf(mistakes);
    }

    @Override
    public String toString() {
        return String.format("caption exact match %.2f%% (%d/%d); attributes: count %.2f%%, size %.2f%%, color %.2f%%,"
                + " shape %.2f%% (%d objects)", 100 * exactMatch(), exact, images, 100 * countAccuracy(),
                100 * sizeAccuracy(), 100 * colorAccuracy(), 100 * shapeAccuracy(), objects);
    }

    private static double ratio(int a, int b) {
        return b == 0 ? 0 : a / (double) b;
    }
}
