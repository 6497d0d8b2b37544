package io.vlmtagger.models.pipeline;

import ai.djl.ndarray.types.DataType;
import io.vlmtagger.models.api.CheckpointException;
import io.vlmtagger.models.api.ModelInfo;
import io.vlmtagger.models.preprocess.ImagePreprocessor;
import io.vlmtagger.models.preprocess.PreprocessorConfig;
import io.vlmtagger.models.runtime.ComputeDtype;
import io.vlmtagger.models.runtime.DeviceSpec;
import io.vlmtagger.models.runtime.ModelKey;
import io.vlmtagger.models.runtime.SharedModelRegistry;
import io.vlmtagger.models.text.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * What {@link Blip2Captioner} and {@link LlavaChatModel} resolve from their builders before
 * loading: the registry key (canonical checkpoint, device, dtype), the preprocessor, the model
 * info, the registry and the clock.
 */
record VisionLanguageSetup(ModelKey key, ImagePreprocessor preprocessor, ModelInfo info,
        SharedModelRegistry registry, LongSupplier nanoClock) {

    /** The builder values both public model classes share. */
    abstract static class Builder<B extends Builder<B>> {
        private Path checkpoint;
        private String device = "cpu";
        private String dtype = "auto";
        private long maxImagePixels = ImagePreprocessor.DEFAULT_MAX_PIXELS;
        private String name;
        private String revision;
        private SharedModelRegistry registry = SharedModelRegistry.global();
        private LongSupplier nanoClock = System::nanoTime;

        abstract B self();

        /** The HuggingFace checkpoint directory. */
        public B setCheckpoint(Path checkpoint) {
            this.checkpoint = checkpoint;
            return self();
        }

        /** {@code cpu} (default), {@code gpu}, {@code gpu:N}. */
        public B optDevice(String device) {
            this.device = device;
            return self();
        }

        /** {@code float32}, {@code float16}, {@code bfloat16} or {@code auto} (default: float32 on CPU). */
        public B optDtype(String dtype) {
            this.dtype = dtype;
            return self();
        }

        /** Images with more pixels (read from the header, before decoding) are refused as TOO_LARGE. */
        public B optMaxImagePixels(long maxImagePixels) {
            this.maxImagePixels = maxImagePixels;
            return self();
        }

        /** Display name in {@link ModelInfo} (default: the checkpoint directory's name). */
        public B optName(String name) {
            this.name = name;
            return self();
        }

        /** Revision in {@link ModelInfo} (default: a hash of config.json and the safetensors headers). */
        public B optRevision(String revision) {
            this.revision = revision;
            return self();
        }

        /** Where loaded models are shared (default: the per-JVM registry). */
        public B optRegistry(SharedModelRegistry registry) {
            this.registry = registry;
            return self();
        }

        /** Monotonic nanosecond clock for the timings. */
        public B optNanoClock(LongSupplier nanoClock) {
            this.nanoClock = nanoClock;
            return self();
        }

        /** Makes a handle from the resolved setup, the shared model lease and the checkpoint's tokenizer. */
        @FunctionalInterface
        interface HandleFactory<M extends AutoCloseable, H> {
            H create(VisionLanguageSetup setup, SharedModelRegistry.Lease<M> lease, TextTokenizer tokenizer);
        }

        /**
         * Resolves the setup, opens the tokenizer, acquires the shared model (loading it on first
         * use) and builds the handle; whatever step fails, what the earlier steps opened is closed.
         */
        <M extends AutoCloseable, H> H open(String what, SharedModelRegistry.Loader<M> loader,
                                            HandleFactory<M, H> factory) {
            VisionLanguageSetup setup = resolve(what);
            TextTokenizer tokenizer = TextTokenizer.fromCheckpoint(setup.key().checkpoint());
            SharedModelRegistry.Lease<M> lease;
            try {
                lease = setup.registry().acquire(setup.key(), loader);
            } catch (RuntimeException e) {
                tokenizer.close();
                throw e;
            }
            try {
                return factory.create(setup, lease, tokenizer);
            } catch (RuntimeException e) {
                tokenizer.close();
                lease.close();
                throw e;
            }
        }

        VisionLanguageSetup resolve(String what) {
            if (checkpoint == null) {
                throw new IllegalArgumentException(what + " needs setCheckpoint(<HuggingFace checkpoint directory>)");
            }
            if (!Files.isDirectory(checkpoint)) {
                throw new CheckpointException("checkpoint directory " + checkpoint + " does not exist");
            }
            if (maxImagePixels <= 0) {
                throw new IllegalArgumentException("maxImagePixels must be > 0, got " + maxImagePixels);
            }
            if (registry == null || nanoClock == null) {
                throw new IllegalArgumentException("registry and nanoClock must not be null");
            }
            DeviceSpec deviceSpec = DeviceSpec.parse(device);
            DataType dataType = ComputeDtype.parse(dtype).resolve(deviceSpec);
            ModelKey key = ModelKey.of(checkpoint, deviceSpec, dataType);
            ImagePreprocessor preprocessor = ImagePreprocessor.builder()
                    .setConfig(PreprocessorConfig.fromCheckpoint(key.checkpoint()))
                    .optMaxPixels(maxImagePixels)
                    .build();
            ModelInfo info = new ModelInfo(
                    name != null ? name : key.checkpoint().getFileName().toString(),
                    revision != null ? revision : CheckpointRevision.of(key.checkpoint()),
                    deviceSpec.toString(),
                    dataType.name().toLowerCase(Locale.ROOT));
            return new VisionLanguageSetup(key, preprocessor, info, registry, nanoClock);
        }
    }
}
