package io.vlmtagger.models.nn;

/**
 * Rotary position embedding of the "rotate_half" (non-interleaved) kind, as Llama uses: the
 * frequencies {@code theta^(-2i/d)} in float32 that the kernels ({@code llama.ts}) rotate with
 * ({@code x * cos + rotate_half(x) * sin}).
 */
public final class Rotary {
    private final int headDim;
    private final float[] invFreq;

    public Rotary(int headDim, double theta) {
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("rotary head dim must be even, got " + headDim);
        }
        this.headDim = headDim;
        this.invFreq = new float[headDim / 2];
        for (int i = 0; i < invFreq.length; i++) {
            float exponent = (float) (2 * i) / headDim;
            invFreq[i] = (float) (1.0 / Math.pow(theta, exponent));
        }
    }

    /** {@code theta^(-2i/d)} for {@code i < d/2}, as float32 (the kernels' rotary input). */
    public float[] inverseFrequencies() {
        return invFreq.clone();
    }

    public int headDim() {
        return headDim;
    }
}
