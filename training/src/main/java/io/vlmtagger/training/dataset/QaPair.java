package io.vlmtagger.training.dataset;

/** A question about a scene and its one-word answer; {@code type} names the question template. */
public record QaPair(String type, String question, String answer) {}
