package io.vlmtagger.models.kernels;

import java.util.List;

/** The TorchScript modules the models load: a class name and the {@code .ts} sources it is made of. */
public enum KernelModule {
    /** BLIP-2's OPT language model. */
    OPT("OptKernels", "common.ts", "generate.ts", "opt.ts"),
    /** A Llama language model (LLaVA's). */
    LLAMA("LlamaKernels", "common.ts", "generate.ts", "llama.ts"),
    /** BLIP-2's vision encoder and Q-Former. */
    BLIP2_VISION("Blip2VisionKernels", "common.ts", "vit.ts", "qformer.ts"),
    /** A CLIP vision tower (LLaVA's, IDEFICS'). */
    CLIP("ClipKernels", "common.ts", "vit.ts"),
    /** IDEFICS' text stack (Llama layers and gated cross-attention blocks). */
    IDEFICS("IdeficsKernels", "common.ts", "llama.ts", "idefics.ts");

    private final String className;
    private final List<String> sources;

    KernelModule(String className, String... sources) {
        this.className = className;
        this.sources = List.of(sources);
    }

    public String className() {
        return className;
    }

    public List<String> sources() {
        return sources;
    }
}
