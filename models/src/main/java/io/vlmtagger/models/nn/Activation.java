package io.vlmtagger.models.nn;

import ai.djl.ndarray.NDArray;
import java.util.Locale;

/** The activation functions of the supported architectures, by their transformers config names. */
public enum Activation {
    /** Exact GELU {@code x * 0.5 * (1 + erf(x / sqrt(2)))} ("gelu"). */
    GELU {
        @Override
        public NDArray apply(NDArray x) {
            return x.mul(0.5f).mul(x.mul((float) (1 / Math.sqrt(2))).erf().add(1f));
        }
    },
    /** Tanh approximation ("gelu_new", "gelu_pytorch_tanh", "gelu_fast"). */
    GELU_TANH {
        @Override
        public NDArray apply(NDArray x) {
            NDArray inner = x.add(x.pow(3).mul(0.044715f)).mul((float) Math.sqrt(2 / Math.PI));
            return x.mul(0.5f).mul(inner.tanh().add(1f));
        }
    },
    /** {@code x * sigmoid(1.702 x)} ("quick_gelu", CLIP). */
    QUICK_GELU {
        @Override
        public NDArray apply(NDArray x) {
            return x.mul(ai.djl.nn.Activation.sigmoid(x.mul(1.702f)));
        }
    },
    RELU {
        @Override
        public NDArray apply(NDArray x) {
            return ai.djl.nn.Activation.relu(x);
        }
    },
    /** {@code x * sigmoid(x)} ("silu", "swish"). */
    SILU {
        @Override
        public NDArray apply(NDArray x) {
            return x.mul(ai.djl.nn.Activation.sigmoid(x));
        }
    };

    public abstract NDArray apply(NDArray x);

    /** The activation's number in the kernel sources ({@code act} in {@code common.ts}): the declaration order. */
    public int kernelCode() {
        return ordinal();
    }

    /** Maps a config.json {@code hidden_act}/{@code activation_function} value; fails naming it if unknown. */
    public static Activation fromConfig(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "gelu" -> GELU;
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> GELU_TANH;
            case "quick_gelu" -> QUICK_GELU;
            case "relu" -> RELU;
            case "silu", "swish" -> SILU;
            default -> throw new IllegalArgumentException("unsupported activation '" + name
                    + "' (supported: gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, quick_gelu, relu, silu)");
        };
    }
}
