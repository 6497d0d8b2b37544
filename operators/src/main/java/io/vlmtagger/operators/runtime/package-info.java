/**
 * The one inference runtime of the operators: plain Java, no Flink and no stage.
 *
 * <p>A stage builds an {@link io.vlmtagger.operators.runtime.InferenceRuntime} from a {@link
 * io.vlmtagger.operators.runtime.ModelHandler} (prepare one input, run a batch) and, where the model
 * has one, a {@link io.vlmtagger.operators.runtime.ContinuousModel}; the runtime owns batching, the
 * device gate, deadlines, retries, poison isolation, out-of-memory splitting, dedup, metrics
 * ({@link io.vlmtagger.operators.runtime.InferenceListener}) and failure reasons ({@link
 * io.vlmtagger.operators.runtime.Failures}), and answers with {@link
 * io.vlmtagger.operators.runtime.InferenceFuture}s. {@link io.vlmtagger.operators.runtime.ModelLease}
 * holds a subtask's model on its device behind the device's shared {@link
 * io.vlmtagger.operators.runtime.DeviceGate}.
 *
 * <p>Public for the stages, not for users of the job: {@code DaemonThreads}, {@code Failures},
 * {@code DeviceGates}. Internals (batcher, attempts, engines, dedup) are package-private. This
 * package imports nothing else of the operators module and no Flink (checked by {@code
 * ArchitectureRulesTest}; see docs/architecture.md).
 */
package io.vlmtagger.operators.runtime;
