package io.vlmtagger.schemas.serde;

import java.io.IOException;

/**
 * A value could not be decoded. {@link #reason()} is stable and machine-readable so that the job
 * can put it into a dead letter as is.
 */
public class AvroDecodeException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Why decoding failed. */
    public enum Reason {
        /** Not single-object encoded (bad magic header), or a writer schema this reader does not know. */
        UNKNOWN_SCHEMA("unknown_schema"),
        /** The writer schema was registered, but this reader cannot resolve it (an incompatible change). */
        INCOMPATIBLE_SCHEMA("incompatible_schema"),
        /** The header was fine but the body is not a valid encoding of the writer schema. */
        AVRO_DECODE_ERROR("avro_decode_error");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        /** The stable reason string used in dead letters, e.g. {@code unknown_schema}. */
        public String code() {
            return code;
        }
    }

    private final Reason reason;

    public AvroDecodeException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
