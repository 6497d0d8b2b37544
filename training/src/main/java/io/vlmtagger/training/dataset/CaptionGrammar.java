package io.vlmtagger.training.dataset;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The fixed English grammar of captions and questions, and its closed vocabulary.
 *
 * <pre>
 * caption  := object | object " and " object | object ", " object " and " object   (left to right)
 * object   := "a " size " " colour " " shape                 e.g. "a large red circle"
 * questions: "what color is the {shape}?" -> colour      "what size is the {shape}?" -> small|large
 *            "how many shapes are there?" -> one|two|three  "is there a {shape}?" -> yes|no
 *            "what shape is the {colour} one?" -> shape
 * </pre>
 */
public final class CaptionGrammar {
    public static final List<String> QUESTION_TYPES = List.of("color", "size", "count", "exists", "shape");
    private static final String[] COUNTS = {"zero", "one", "two", "three"};

    private CaptionGrammar() {}

    public static String caption(Scene scene) {
        List<SceneObject> objects = scene.objects();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < objects.size(); i++) {
            if (i > 0) {
                sb.append(i == objects.size() - 1 ? " and " : ", ");
            }
            sb.append("a ").append(objects.get(i).phrase());
        }
        return sb.toString();
    }

    /** One question of each type about {@code scene}, in {@link #QUESTION_TYPES} order. */
    public static List<QaPair> questions(Scene scene, Random random) {
        List<QaPair> out = new ArrayList<>();
        for (String type : QUESTION_TYPES) {
            out.add(question(scene, type, random));
        }
        return out;
    }

    /** A question of {@code type} about {@code scene}; {@code random} picks the shape or colour asked about. */
    public static QaPair question(Scene scene, String type, Random random) {
        List<SceneObject> objects = scene.objects();
        SceneObject pick = objects.get(random.nextInt(objects.size()));
        return switch (type) {
            case "color" -> new QaPair(type, "what color is the " + pick.kind().word() + "?", pick.color().word());
            case "size" -> new QaPair(type, "what size is the " + pick.kind().word() + "?", pick.sizeWord());
            case "count" -> new QaPair(type, "how many shapes are there?", COUNTS[objects.size()]);
            case "exists" -> {
                // half the time a shape that is there, half the time one that is not (when any is missing)
                ShapeKind kind = pick.kind();
                if (random.nextBoolean() && objects.size() < ShapeKind.values().length) {
                    List<ShapeKind> missing = new ArrayList<>();
                    for (ShapeKind k : ShapeKind.values()) {
                        if (scene.find(k).isEmpty()) {
                            missing.add(k);
                        }
                    }
                    kind = missing.get(random.nextInt(missing.size()));
                }
                yield new QaPair(type, "is there a " + kind.word() + "?", scene.find(kind).isPresent() ? "yes" : "no");
            }
            case "shape" -> new QaPair(type, "what shape is the " + pick.color().word() + " one?", pick.kind().word());
            default -> throw new IllegalArgumentException("unknown question type '" + type + "' (known: "
                    + QUESTION_TYPES + ")");
        };
    }

    /** Every word and punctuation mark captions, questions and answers use (no special tokens). */
    public static List<String> vocabulary() {
        Set<String> words = new LinkedHashSet<>(List.of("a", "and", ",", "small", "large"));
        for (ShapeColor c : ShapeColor.values()) {
            words.add(c.word());
        }
        for (ShapeKind k : ShapeKind.values()) {
            words.add(k.word());
        }
        words.addAll(List.of("what", "color", "size", "shape", "is", "the", "one", "how", "many", "shapes", "are",
                "there", "?", "yes", "no", "zero", "two", "three"));
        return List.copyOf(words);
    }

    /** The attributes of a caption, for attribute-level scoring: per object {@code [size, colour, shape]}. */
    public static List<String[]> parse(String caption) {
        List<String[]> out = new ArrayList<>();
        String normalized = caption.replace(",", " , ").replace(" and ", " , ").trim();
        for (String part : normalized.split(",")) {
            String[] words = part.trim().split("\\s+");
            if (words.length == 4 && words[0].equals("a")) {
                out.add(new String[] {words[1], words[2], words[3]});
            } else {
                out.add(new String[] {"?", "?", "?"});
            }
        }
        return out;
    }
}
