package io.vlmtagger.models.text;

/**
 * A rendered chat prompt: its text, its ids (bos first, one image token), and how many of the
 * earlier turns it kept (the oldest ones are dropped first when over budget).
 */
public record ChatPrompt(String text, long[] ids, int turnsKept, int turnsDropped) {
    public ChatPrompt {
        ids = ids.clone();
    }

    /** The ids. Copy: free to modify. */
    @Override
    public long[] ids() {
        return ids.clone();
    }

    public int length() {
        return ids.length;
    }
}
