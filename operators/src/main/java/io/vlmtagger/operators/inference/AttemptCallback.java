package io.vlmtagger.operators.inference;

/** Where {@link Attempts} reports the end of a request: a result, or the final failure. */
public interface AttemptCallback<O> {
    void succeeded(O result, int attempts);

    /** No attempt left, or the failure is not worth retrying (see {@link InferenceFailures#isRetryable}). */
    void failed(Throwable failure, int attempts);
}
