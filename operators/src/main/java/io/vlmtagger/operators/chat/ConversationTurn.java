package io.vlmtagger.operators.chat;

import io.vlmtagger.models.api.ChatTurn;

/** One answered turn of a conversation, as kept in keyed state. A Flink POJO. */
public class ConversationTurn {
    public String eventId;
    public String question;
    public String answer;
    public long answeredAtMs;

    public ConversationTurn() {}

    public ConversationTurn(String eventId, String question, String answer, long answeredAtMs) {
        this.eventId = eventId;
        this.question = question;
        this.answer = answer;
        this.answeredAtMs = answeredAtMs;
    }

    public ChatTurn toChatTurn() {
        return new ChatTurn(question, answer);
    }
}
