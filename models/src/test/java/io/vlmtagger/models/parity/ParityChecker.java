package io.vlmtagger.models.parity;

/**
 * Checks one architecture against a transformers reference fixture: loads the checkpoint in
 * {@link ParityCase#dir()}, feeds it the fixture's inputs and hands every tensor it computes to
 * {@link ParityCase}'s {@code expect*} methods. Registered per {@code model_type} in {@link ParityCheckers}.
 */
@FunctionalInterface
public interface ParityChecker {
    void check(ParityCase parity) throws Exception;
}
