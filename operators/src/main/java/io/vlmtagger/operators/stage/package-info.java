/**
 * The Flink side that every inference stage shares, so that caption, chat and few-shot stay thin:
 * {@link io.vlmtagger.operators.stage.StageRuntime} opens a subtask's device, model lease, metrics
 * and runtime; {@link io.vlmtagger.operators.stage.InferenceOperator} brings a custom operator's
 * outcomes back as mails; {@link io.vlmtagger.operators.stage.InFlightBudget} and {@link
 * io.vlmtagger.operators.stage.BudgetedAsyncWait} bound the bytes in flight; the options,
 * settings, metrics, dead letters and the common part of the output records live here too.
 *
 * <p>Everything here is {@code @Internal}: public for the stage packages, not an API for users of
 * the job, who configure it through {@link io.vlmtagger.operators.stage.InferenceOptions}.
 */
package io.vlmtagger.operators.stage;
