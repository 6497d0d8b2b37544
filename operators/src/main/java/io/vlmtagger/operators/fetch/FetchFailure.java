package io.vlmtagger.operators.fetch;

/** Why a fetch failed; {@link #code()} is the stable dead-letter reason. */
public enum FetchFailure {
    /** Scheme, host, root directory or redirect target not on the allow-lists; credentials in the URI. */
    DENIED("fetch_denied"),
    /** Connect or read took longer than allowed, or the operator's async timeout fired. */
    TIMEOUT("fetch_timeout"),
    /** More bytes than the cap (Content-Length, file size, or counted while reading). */
    TOO_LARGE("fetch_too_large"),
    /** No such file, or HTTP 404/410. */
    NOT_FOUND("fetch_not_found"),
    /** Any other non-2xx HTTP status, or too many redirects. */
    HTTP_STATUS("fetch_http_status"),
    /** The bytes do not hash to the sha256 the event carries. */
    SHA256_MISMATCH("sha256_mismatch"),
    /** Not file, http or https. */
    UNSUPPORTED_SCHEME("unsupported_scheme"),
    /** The URI does not parse. */
    INVALID_URI("fetch_invalid_uri"),
    /** Connection refused or reset, read error. */
    IO_ERROR("fetch_io_error");

    private final String code;

    FetchFailure(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
