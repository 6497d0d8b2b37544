package io.vlmtagger.operators.caption;

import java.io.Serializable;
import java.util.List;

/**
 * Caption to tags (P-a's {@code tags/CaptionTagger} is the product's implementation). A seam so
 * that the caption stage does not fix the tagging rules; serializable because the function
 * carries it.
 */
@FunctionalInterface
public interface TagExtractor extends Serializable {
    List<String> tags(String caption);
}
