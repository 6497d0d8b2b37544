package io.vlmtagger.models.api;

import java.io.Serializable;

/**
 * How to generate: greedy by default; beam search with {@code numBeams > 1}; sampling with
 * {@code doSample}. Immutable and serializable, so Flink functions can carry it.
 */
public final class GenerationOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int maxNewTokens;
    private final int minNewTokens;
    private final int numBeams;
    private final boolean doSample;
    private final float temperature;
    private final int topK;
    private final float topP;
    private final long seed;
    private final float repetitionPenalty;
    private final float lengthPenalty;

    private GenerationOptions(Builder b) {
        this.maxNewTokens = b.maxNewTokens;
        this.minNewTokens = b.minNewTokens;
        this.numBeams = b.numBeams;
        this.doSample = b.doSample;
        this.temperature = b.temperature;
        this.topK = b.topK;
        this.topP = b.topP;
        this.seed = b.seed;
        this.repetitionPenalty = b.repetitionPenalty;
        this.lengthPenalty = b.lengthPenalty;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Greedy decoding of at most {@code maxNewTokens} tokens. */
    public static GenerationOptions greedy(int maxNewTokens) {
        return builder().optMaxNewTokens(maxNewTokens).build();
    }

    public int maxNewTokens() { return maxNewTokens; }
    public int minNewTokens() { return minNewTokens; }
    public int numBeams() { return numBeams; }
    public boolean doSample() { return doSample; }
    public float temperature() { return temperature; }
    public int topK() { return topK; }
    public float topP() { return topP; }
    public long seed() { return seed; }
    public float repetitionPenalty() { return repetitionPenalty; }
    public float lengthPenalty() { return lengthPenalty; }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxNewTokens = maxNewTokens;
        b.minNewTokens = minNewTokens;
        b.numBeams = numBeams;
        b.doSample = doSample;
        b.temperature = temperature;
        b.topK = topK;
        b.topP = topP;
        b.seed = seed;
        b.repetitionPenalty = repetitionPenalty;
        b.lengthPenalty = lengthPenalty;
        return b;
    }

    @Override
    public String toString() {
        return "GenerationOptions{maxNewTokens=" + maxNewTokens + ", minNewTokens=" + minNewTokens
                + ", numBeams=" + numBeams + ", doSample=" + doSample + ", temperature=" + temperature
                + ", topK=" + topK + ", topP=" + topP + ", seed=" + seed
                + ", repetitionPenalty=" + repetitionPenalty + ", lengthPenalty=" + lengthPenalty + '}';
    }

    /** Builder; every value is optional. */
    public static final class Builder {
        private int maxNewTokens = 20;
        private int minNewTokens = 0;
        private int numBeams = 1;
        private boolean doSample = false;
        private float temperature = 1.0f;
        private int topK = 50;
        private float topP = 1.0f;
        private long seed = 0L;
        private float repetitionPenalty = 1.0f;
        private float lengthPenalty = 1.0f;

        private Builder() {}

        public Builder optMaxNewTokens(int v) { this.maxNewTokens = v; return this; }
        public Builder optMinNewTokens(int v) { this.minNewTokens = v; return this; }
        public Builder optNumBeams(int v) { this.numBeams = v; return this; }
        public Builder optDoSample(boolean v) { this.doSample = v; return this; }
        public Builder optTemperature(float v) { this.temperature = v; return this; }
        /** 0 disables top-k filtering. */
        public Builder optTopK(int v) { this.topK = v; return this; }
        public Builder optTopP(float v) { this.topP = v; return this; }
        public Builder optSeed(long v) { this.seed = v; return this; }
        public Builder optRepetitionPenalty(float v) { this.repetitionPenalty = v; return this; }
        public Builder optLengthPenalty(float v) { this.lengthPenalty = v; return this; }

        /** Validates and builds; messages say which value to fix. */
        public GenerationOptions build() {
            if (maxNewTokens < 1) {
                throw new IllegalArgumentException("maxNewTokens must be >= 1, got " + maxNewTokens);
            }
            if (minNewTokens < 0 || minNewTokens > maxNewTokens) {
                throw new IllegalArgumentException(
                        "minNewTokens must be between 0 and maxNewTokens (" + maxNewTokens + "), got " + minNewTokens);
            }
            if (numBeams < 1) {
                throw new IllegalArgumentException("numBeams must be >= 1, got " + numBeams);
            }
            if (doSample && numBeams > 1) {
                throw new IllegalArgumentException("sampling with beam search is not supported: set numBeams to 1 or doSample to false");
            }
            if (!(temperature > 0f)) {
                throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
            }
            if (topK < 0) {
                throw new IllegalArgumentException("topK must be >= 0 (0 disables it), got " + topK);
            }
            if (!(topP > 0f && topP <= 1f)) {
                throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
            }
            if (!(repetitionPenalty > 0f)) {
                throw new IllegalArgumentException("repetitionPenalty must be > 0 (1 disables it), got " + repetitionPenalty);
            }
            return new GenerationOptions(this);
        }
    }
}
