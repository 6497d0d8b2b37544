package io.vlmtagger.models.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.vlmtagger.models.api.GenerationOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * Autoregressive generation over any {@link CausalDecoder}: greedy, sampling and beam search, with
 * transformers' semantics for {@code max/min_new_tokens}, repetition penalty, temperature, top-k,
 * top-p and length penalty (see {@link BeamSearch} for the beam details).
 *
 * <p>A batch of left-padded prompts of different lengths runs one forward per step for the whole
 * batch, with a KV cache. Rows stop at their own eos; finished rows are dropped from the running
 * batch with {@link KvCache#reorder}, so the cost shrinks as rows finish.
 *
 * <p>Sampling draws from one random stream per row seeded with {@link GenerationOptions#seed()}: a
 * row's sample depends on its prompt and the seed only, not on the other rows of the batch.
 *
 * <p>Thread-safe: a generator holds no per-call state; all tensors of a call live in a child of the
 * input mask's {@link NDManager}, closed before {@link #generate} returns.
 */
public final class Generator {
    /** Steps between two looks at the device-side finished flags (each look waits for the device). */
    static final int FINISHED_CHECK_EVERY = 4;
    private final CausalDecoder decoder;
    private final long[] eosTokenIds;
    private final long padTokenId;
    private final LongSupplier nanoClock;

    private Generator(Builder b) {
        this.decoder = b.decoder;
        this.eosTokenIds = b.eosTokenIds;
        this.padTokenId = b.padTokenId;
        this.nanoClock = b.nanoClock;
    }

    public static Builder builder() {
        return new Builder();
    }

    public CausalDecoder decoder() {
        return decoder;
    }

    public long padTokenId() {
        return padTokenId;
    }

    /** Generates new tokens for every row of {@code input}. */
    public GeneratedSequences generate(GenerationInput input, GenerationOptions options) {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(options, "options");
        int batch = input.batchSize();
        int promptLen = input.promptLength();
        if (promptLen + options.maxNewTokens() > decoder.maxPositions()) {
            throw new IllegalArgumentException("prompt length " + promptLen + " + maxNewTokens " + options.maxNewTokens()
                    + " exceeds the decoder's " + decoder.maxPositions() + " positions: shorten the prompt or lower maxNewTokens");
        }
        if (options.numBeams() > 1 && input.keepStepLogits()) {
            throw new IllegalArgumentException("step logits are only kept for greedy and sampling, not beam search");
        }
        NDArray mask = input.attentionMask();
        try (NDManager call = mask.getManager().newSubManager()) {
            NDArray prompt = input.inputsEmbeds() != null ? input.inputsEmbeds() : input.inputIds();
            // Ops on the inputs put their results in the inputs' manager: borrow them for this call.
            mask.tempAttach(call);
            if (prompt.getManager() != call) {
                prompt.tempAttach(call);
            }
            NDArray mask64 = mask.getDataType() == DataType.INT64 ? mask : mask.toType(DataType.INT64, false);
            long[] maskHost = mask64.toLongArray();
            int[] promptLengths = new int[batch];
            for (int r = 0; r < batch; r++) {
                for (int t = 0; t < promptLen; t++) {
                    promptLengths[r] += (int) maskHost[r * promptLen + t];
                }
            }
            long[][] context = input.contextTokenIds();
            if (context == null && input.inputIds() != null) {
                context = unpaddedRows(input.inputIds().toLongArray(), maskHost, batch, promptLen);
            }
            long start = nanoClock.getAsLong();
            NDArray embeds = input.inputsEmbeds() != null ? input.inputsEmbeds() : decoder.embed(input.inputIds());
            if (decoder instanceof DeviceGreedy greedy && options.numBeams() == 1 && !options.doSample()
                    && !input.keepStepLogits()) {
                return onDevice(greedy, embeds, mask64, options, context, promptLengths, start);
            }
            try (DecodeSession session = new DecodeSession(decoder, call, maskHost, promptLen)) {
                boolean plainGreedy = options.numBeams() == 1 && !options.doSample()
                        && options.repetitionPenalty() == 1.0f && !input.keepStepLogits();
                session.argMaxOnly(plainGreedy && options.minNewTokens() == 0);
                float[] first = session.prefill(embeds, mask64);
                long prefillEnd = nanoClock.getAsLong();
                long[][] tokens;
                float[][][] stepLogits = input.keepStepLogits() ? new float[batch][][] : null;
                if (options.numBeams() > 1) {
                    tokens = new BeamSearch(session, options, eosTokenIds, padTokenId, context).run(first, batch);
                } else {
                    tokens = greedyOrSample(session, first, batch, options, context, stepLogits, plainGreedy);
                }
                long end = nanoClock.getAsLong();
                return new GeneratedSequences(tokens, promptLengths, stepLogits,
                        (prefillEnd - start) / 1e6, (end - prefillEnd) / 1e6);
            }
        }
    }

    /**
     * Greedy decoding with the loop's state on the decoder's device: one call per step, and a
     * look at the finished flags (a wait for the device) only every {@link #FINISHED_CHECK_EVERY}
     * steps, so a GPU is never idle between steps waiting for the host.
     */
    private GeneratedSequences onDevice(DeviceGreedy greedy, NDArray embeds, NDArray mask64, GenerationOptions options,
            long[][] context, int[] promptLengths, long start) {
        DeviceGreedy.Settings settings = new DeviceGreedy.Settings(options.maxNewTokens(), options.minNewTokens(),
                options.repetitionPenalty(), eosTokenIds, padTokenId);
        try (DeviceGreedy.Session session = greedy.startGreedy(embeds, mask64, settings, context)) {
            boolean done = session.allFinished(); // waits for the prefill: its time is measured apart
            long prefillEnd = nanoClock.getAsLong();
            while (!done && session.steps() < options.maxNewTokens()) {
                session.step();
                if (session.steps() % FINISHED_CHECK_EVERY == 0) {
                    done = session.allFinished();
                }
            }
            long[][] picked = session.tokens();
            long end = nanoClock.getAsLong();
            long[][] tokens = new long[picked.length][];
            for (int r = 0; r < picked.length; r++) {
                tokens[r] = throughFirstEos(picked[r]);
            }
            return new GeneratedSequences(tokens, promptLengths, null, (prefillEnd - start) / 1e6, (end - prefillEnd) / 1e6);
        }
    }

    /** The row up to and including its first eos (later picks are of a finished row). */
    private long[] throughFirstEos(long[] row) {
        for (int i = 0; i < row.length; i++) {
            if (isEos(row[i])) {
                return Arrays.copyOf(row, i + 1);
            }
        }
        return row;
    }

    private long[][] greedyOrSample(DecodeSession session, float[] logits, int batch, GenerationOptions options,
            long[][] context, float[][][] stepLogits, boolean plainGreedy) {
        int vocab = session.vocab();
        int maxNew = options.maxNewTokens();
        long[][] generated = new long[batch][maxNew];
        int[] lengths = new int[batch];
        List<List<float[]>> kept = stepLogits == null ? null : new ArrayList<>();
        for (int r = 0; stepLogits != null && r < batch; r++) {
            kept.add(new ArrayList<>());
        }
        SplittableRandom[] random = new SplittableRandom[batch];
        for (int r = 0; options.doSample() && r < batch; r++) {
            random[r] = new SplittableRandom(options.seed());
        }
        int[] running = new int[batch];
        for (int r = 0; r < batch; r++) {
            running[r] = r;
        }
        float[] scores = new float[vocab];
        for (int step = 0; ; step++) {
            int stillRunning = 0;
            boolean[] finished = new boolean[running.length];
            for (int i = 0; i < running.length; i++) {
                int row = running[i];
                int token;
                if (logits == null) { // argmax already taken on the device
                    token = (int) session.lastArgMax()[i];
                    generated[row][lengths[row]++] = token;
                    finished[i] = isEos(token);
                    stillRunning += finished[i] ? 0 : 1;
                    continue;
                }
                System.arraycopy(logits, i * vocab, scores, 0, vocab);
                if (kept != null) {
                    kept.get(row).add(scores.clone());
                }
                LogitsProcessing.applyRepetitionPenalty(scores, options.repetitionPenalty(),
                        context == null ? null : context[row], context == null ? 0 : context[row].length,
                        generated[row], lengths[row]);
                if (step < options.minNewTokens()) {
                    LogitsProcessing.suppressEos(scores, eosTokenIds);
                }
                token = options.doSample()
                        ? LogitsProcessing.sample(scores, options.temperature(), options.topK(), options.topP(), random[row])
                        : LogitsProcessing.argMax(scores);
                generated[row][lengths[row]++] = token;
                finished[i] = isEos(token);
                if (!finished[i]) {
                    stillRunning++;
                }
            }
            if (stillRunning == 0 || step + 1 >= maxNew) {
                break;
            }
            if (stillRunning < running.length) {
                int[] keepPositions = new int[stillRunning];
                int[] keepRows = new int[stillRunning];
                for (int i = 0, k = 0; i < running.length; i++) {
                    if (!finished[i]) {
                        keepPositions[k] = i;
                        keepRows[k++] = running[i];
                    }
                }
                session.reorder(keepPositions);
                running = keepRows;
            }
            long[] next = new long[running.length];
            for (int i = 0; i < running.length; i++) {
                next[i] = generated[running[i]][lengths[running[i]] - 1];
            }
            session.argMaxOnly(plainGreedy && step + 1 >= options.minNewTokens());
            logits = session.step(next, running);
        }
        long[][] out = new long[batch][];
        for (int r = 0; r < batch; r++) {
            out[r] = Arrays.copyOf(generated[r], lengths[r]);
            if (stepLogits != null) {
                stepLogits[r] = kept.get(r).toArray(new float[0][]);
            }
        }
        return out;
    }

    private boolean isEos(long token) {
        for (long eos : eosTokenIds) {
            if (eos == token) {
                return true;
            }
        }
        return false;
    }

    private static long[][] unpaddedRows(long[] ids, long[] mask, int batch, int len) {
        long[][] rows = new long[batch][];
        for (int r = 0; r < batch; r++) {
            long[] row = new long[len];
            int n = 0;
            for (int t = 0; t < len; t++) {
                if (mask[r * len + t] != 0) {
                    row[n++] = ids[r * len + t];
                }
            }
            rows[r] = Arrays.copyOf(row, n);
        }
        return rows;
    }

    /** Builder: {@code setDecoder} and {@code setEosTokenIds} are required. */
    public static final class Builder {
        private CausalDecoder decoder;
        private long[] eosTokenIds;
        private long padTokenId = -1;
        private LongSupplier nanoClock = System::nanoTime;

        private Builder() {}

        public Builder setDecoder(CausalDecoder decoder) {
            this.decoder = decoder;
            return this;
        }

        /** Tokens that end a row (e.g. OPT 2, Llama 2). */
        public Builder setEosTokenIds(long... eosTokenIds) {
            this.eosTokenIds = eosTokenIds == null ? null : eosTokenIds.clone();
            return this;
        }

        /** Token fed to finished beams; defaults to the first eos id. */
        public Builder optPadTokenId(long padTokenId) {
            this.padTokenId = padTokenId;
            return this;
        }

        /** Monotonic clock in nanoseconds for the timings (tests inject a fake). */
        public Builder optNanoClock(LongSupplier nanoClock) {
            this.nanoClock = nanoClock;
            return this;
        }

        public Generator build() {
            if (decoder == null) {
                throw new IllegalArgumentException("setDecoder(...) is required: the language model to drive");
            }
            if (eosTokenIds == null || eosTokenIds.length == 0) {
                throw new IllegalArgumentException("setEosTokenIds(...) is required: generation_config.json's eos_token_id");
            }
            Objects.requireNonNull(nanoClock, "nanoClock");
            if (padTokenId < 0) {
                padTokenId = eosTokenIds[0];
            }
            return new Generator(this);
        }
    }
}
