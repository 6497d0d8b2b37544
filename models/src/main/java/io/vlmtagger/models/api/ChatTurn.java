package io.vlmtagger.models.api;

/** One earlier exchange in a conversation about an image. */
public record ChatTurn(String question, String answer) {}
