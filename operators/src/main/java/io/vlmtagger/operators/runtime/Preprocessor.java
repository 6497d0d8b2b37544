package io.vlmtagger.operators.runtime;

/**
 * Prepares one element before it joins a batch (image decode and resize, tokenisation). Runs on
 * the batcher's preprocessing executor, never on the model thread. Throwing completes the
 * element's future exceptionally with that exception; the element never reaches the model.
 */
@FunctionalInterface
interface Preprocessor<I> {
    I prepare(I element) throws Exception;

    static <I> Preprocessor<I> identity() {
        return e -> e;
    }
}
