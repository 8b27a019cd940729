package io.streamlip.filter.fetch;

import io.streamlip.platform.bounds.BoundedText;
import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import java.net.IDN;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Normalises a URL as the web writes it into one the HTTP client accepts, before it is fetched: the
 * scheme and host in lower case, an internationalised host name in punycode ({@link IDN#toASCII}),
 * the scheme's default port and the fragment dropped, and every character a URI may not hold (raw
 * spaces, quotes, braces, non-ASCII text, a {@code %} not followed by two hex digits)
 * percent-encoded as UTF-8 in the path and query. What cannot be made a URL is refused as {@code
 * fetch_url} with the reason (not http(s), no host, a bad host name or port).
 */
final class FetchUrls {
    private static final int QUOTED_CHARS = 200;
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private FetchUrls() {}

    /** {@code url} normalised (see the class comment), or why it cannot be fetched. */
    static Verdict<URI> normalise(String url) {
        String s = url.strip();
        int colon = s.indexOf("://");
        String scheme = colon < 0 ? "" : s.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return refuse("not an http(s) URL: " + quote(s));
        }
        String rest = s.substring(colon + 3);
        int hash = rest.indexOf('#');
        if (hash >= 0) {
            rest = rest.substring(0, hash);
        }
        int authorityEnd = indexOfAny(rest, "/?");
        String authority = authorityEnd < 0 ? rest : rest.substring(0, authorityEnd);
        String pathAndQuery = authorityEnd < 0 ? "" : rest.substring(authorityEnd);
        int at = authority.lastIndexOf('@');
        String userInfo = at < 0 ? null : authority.substring(0, at);
        String hostPort = authority.substring(at + 1);
        String host;
        String port = null;
        if (hostPort.startsWith("[")) { // an IPv6 literal
            int close = hostPort.indexOf(']');
            if (close < 0) {
                return refuse("unclosed IPv6 literal in " + quote(s));
            }
            host = hostPort.substring(0, close + 1).toLowerCase(Locale.ROOT);
            String after = hostPort.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    return refuse("bad authority " + quote(authority));
                }
                port = after.substring(1);
            }
        } else {
            int portColon = hostPort.lastIndexOf(':');
            host = portColon < 0 ? hostPort : hostPort.substring(0, portColon);
            port = portColon < 0 ? null : hostPort.substring(portColon + 1);
            if (host.endsWith(".")) {
                host = host.substring(0, host.length() - 1); // the root label
            }
            if (host.isEmpty()) {
                return refuse("no host in " + quote(s));
            }
            try {
                host = IDN.toASCII(host, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
            } catch (IllegalArgumentException e) {
                return refuse("bad host name " + quote(host) + ": " + e.getMessage());
            }
            if (host.isEmpty() || !host.matches("[a-z0-9._-]+")) {
                return refuse("bad host name " + quote(host));
            }
        }
        if (port != null && !port.isEmpty()) {
            if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) > 65535) {
                return refuse("bad port " + quote(port) + " in " + quote(s));
            }
            int number = Integer.parseInt(port);
            boolean isDefault =
                    (scheme.equals("http") && number == 80)
                            || (scheme.equals("https") && number == 443);
            port = isDefault ? null : Integer.toString(number);
        } else {
            port = null;
        }
        StringBuilder out = new StringBuilder(s.length() + 16).append(scheme).append("://");
        if (userInfo != null) {
            out.append(encodeIllegal(userInfo, false)).append('@');
        }
        out.append(host);
        if (port != null) {
            out.append(':').append(port);
        }
        if (!pathAndQuery.startsWith("/")) {
            out.append('/'); // no path, or a query right after the authority
        }
        out.append(encodeIllegal(pathAndQuery, true));
        try {
            return Verdict.accept(new URI(out.toString()));
        } catch (URISyntaxException e) {
            return refuse("not a URL: " + e.getMessage());
        }
    }

    /**
     * {@code text} with every character a URI may not hold percent-encoded (UTF-8); a {@code %}
     * already starting an escape is kept. With {@code pathOrQuery} the delimiters {@code / ? = &}
     * stay as they are.
     */
    static String encodeIllegal(String text, boolean pathOrQuery) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                boolean escape =
                        i + 2 < text.length() && hex(text.charAt(i + 1)) && hex(text.charAt(i + 2));
                out.append(escape ? "%" : "%25");
            } else if (c < 0x80 && allowed(c, pathOrQuery)) {
                out.append(c);
            } else {
                int end = Character.isHighSurrogate(c) && i + 1 < text.length() ? i + 2 : i + 1;
                for (byte b : text.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
                    out.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
                }
                i = end - 1;
            }
        }
        return out.toString();
    }

    /** The URI characters (RFC 3986 unreserved and sub-delims, and ':' '@'; '/' '?' in paths). */
    private static boolean allowed(char c, boolean pathOrQuery) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            return true;
        }
        if ("-._~!$&'()*+,;=:@".indexOf(c) >= 0) {
            return true;
        }
        return pathOrQuery && (c == '/' || c == '?');
    }

    private static boolean hex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    private static Verdict<URI> refuse(String detail) {
        return Verdict.refuse(RejectReason.FETCH_URL, detail);
    }

    private static String quote(String s) {
        return BoundedText.truncate(s, QUOTED_CHARS);
    }
}
