package io.vlmtagger.operators.deadletter;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes credentials from URIs and free text before they reach logs or dead letters: user-info
 * ({@code user:pass@}), query strings and fragments (signed URLs carry tokens there), and
 * {@code Authorization}/{@code token}/{@code password}-like key-value text. Pure functions.
 */
public final class Redaction {
    /** Replaces what was removed. */
    public static final String MASK = "***";

    private static final Pattern URI_IN_TEXT = Pattern.compile("\\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\\s\"'<>]+");
    private static final Pattern AUTH_HEADER = Pattern.compile(
            "(?i)\\b(proxy-)?authorization\\s*[:=]\\s*(bearer|basic|digest|token)?\\s*[^\\s,;\"']+");
    private static final Pattern SECRET_PAIR = Pattern.compile(
            "(?i)\\b(password|passwd|pwd|secret|token|access_token|api[_-]?key|apikey|x-amz-signature|signature|sig)"
                    + "(\\s*[=:]\\s*)[^\\s&,;\"']+");
    private static final Pattern BEARER = Pattern.compile("(?i)\\bbearer\\s+[A-Za-z0-9._~+/=-]+");

    private Redaction() {}

    /**
     * A URI without user-info, query string or fragment: {@code https://u:p@host/a?sig=1} becomes
     * {@code https://host/a?***}. Unparseable input is cut at the first '?' or '#' and any user-info
     * is removed textually.
     */
    public static String uri(String uri) {
        if (uri == null) {
            return null;
        }
        try {
            URI u = new URI(uri);
            if (u.isOpaque()) {
                return cutQuery(u.getScheme() + ":" + MASK);
            }
            StringBuilder sb = new StringBuilder();
            if (u.getScheme() != null) {
                sb.append(u.getScheme()).append("://");
            }
            if (u.getHost() != null) {
                sb.append(u.getHost());
                if (u.getPort() >= 0) {
                    sb.append(':').append(u.getPort());
                }
            } else if (u.getRawAuthority() != null) {
                sb.append(stripUserInfo(u.getRawAuthority()));
            }
            if (u.getRawPath() != null) {
                sb.append(u.getRawPath());
            }
            if (u.getRawQuery() != null || u.getRawFragment() != null) {
                sb.append('?').append(MASK);
            }
            return sb.toString();
        } catch (URISyntaxException e) {
            String cut = cutQuery(uri);
            int scheme = cut.indexOf("://");
            if (scheme >= 0) {
                int slash = cut.indexOf('/', scheme + 3);
                String authority = slash < 0 ? cut.substring(scheme + 3) : cut.substring(scheme + 3, slash);
                String rest = slash < 0 ? "" : cut.substring(slash);
                return cut.substring(0, scheme + 3) + stripUserInfo(authority) + rest;
            }
            return cut;
        }
    }

    /** Free text (error messages) with every URI redacted and credential-like pairs masked. */
    public static String text(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = URI_IN_TEXT.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(uri(m.group())));
        }
        m.appendTail(sb);
        String s = AUTH_HEADER.matcher(sb.toString()).replaceAll("$1authorization: " + MASK);
        s = BEARER.matcher(s).replaceAll("Bearer " + MASK);
        return SECRET_PAIR.matcher(s).replaceAll("$1$2" + MASK);
    }

    private static String cutQuery(String s) {
        int q = s.indexOf('?');
        int h = s.indexOf('#');
        int cut = q < 0 ? h : (h < 0 ? q : Math.min(q, h));
        return cut < 0 ? s : s.substring(0, cut) + "?" + MASK;
    }

    private static String stripUserInfo(String authority) {
        int at = authority.lastIndexOf('@');
        return at < 0 ? authority : authority.substring(at + 1);
    }
}
