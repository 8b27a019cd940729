package io.streamlip.monitor;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which {@code Host} headers a server bound to one address answers, against DNS rebinding: a page
 * of another site whose name is made to resolve to this machine sends that name as its Host, and is
 * refused.
 *
 * <p>Always allowed: {@code localhost}, {@code 127.0.0.1} and {@code [::1]}. A server bound to
 * another address also allows that address and the name it was bound by ({@code --bind NAME}); one
 * bound to the wildcard address allows that address, every address of this machine's interfaces and
 * its host name. Extra names can be configured. A Host may carry the server's port or none;
 * anything else (another port, a missing or malformed header) is refused.
 */
final class HostCheck {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9.-]{0,252})");

    private final int port;
    private final Set<String> names;
    private final Set<InetAddress> addresses;

    private HostCheck(int port, Set<String> names, Set<InetAddress> addresses) {
        this.port = port;
        this.names = names;
        this.addresses = addresses;
    }

    /**
     * The check of a server bound to {@code bind}:{@code port}, also allowing {@code extraNames}
     * (host names or address literals, without port).
     */
    static HostCheck forBind(InetAddress bind, int port, Collection<String> extraNames) {
        Set<String> names = new HashSet<>();
        Set<InetAddress> addresses = new HashSet<>();
        names.add("localhost");
        addresses.add(literal("127.0.0.1"));
        addresses.add(literal("::1"));
        if (bind.isAnyLocalAddress()) {
            addresses.add(bind); // the URL the server prints, which browsers send to loopback
            addInterfaceAddresses(addresses);
            try {
                names.add(InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT));
            } catch (UnknownHostException e) {
                // no host name: the addresses still work
            }
        } else {
            addresses.add(bind);
            // InetAddress.toString() is "name/literal" for an address made from a name, without
            // a reverse lookup
            String given = bind.toString();
            int slash = given.indexOf('/');
            if (slash > 0) {
                names.add(given.substring(0, slash).toLowerCase(Locale.ROOT));
            }
        }
        for (String extra : extraNames) {
            String e = extra.trim().toLowerCase(Locale.ROOT);
            InetAddress a = e.startsWith("[") && e.endsWith("]") ? literal(e) : literalOrNull(e);
            if (a != null) {
                addresses.add(a);
            } else {
                names.add(e);
            }
        }
        return new HostCheck(
                port, Collections.unmodifiableSet(names), Collections.unmodifiableSet(addresses));
    }

    /** Whether a request with this Host header (null: none) is answered. */
    boolean allows(String header) {
        if (header == null || header.isEmpty() || header.length() > 300) {
            return false;
        }
        String h = header.trim().toLowerCase(Locale.ROOT);
        String host;
        String rest;
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            if (close < 0) {
                return false;
            }
            host = h.substring(0, close + 1);
            rest = h.substring(close + 1);
        } else {
            int colon = h.indexOf(':');
            host = colon < 0 ? h : h.substring(0, colon);
            rest = colon < 0 ? "" : h.substring(colon);
        }
        if (!rest.isEmpty() && !rest.equals(":" + port)) {
            return false;
        }
        if (host.startsWith("[")) {
            InetAddress a = literalOrNull(host.substring(1, host.length() - 1));
            return a instanceof Inet6Address && addresses.contains(a);
        }
        if (IPV4.matcher(host).matches()) {
            InetAddress a = literalOrNull(host);
            return a != null && addresses.contains(a);
        }
        return NAME.matcher(host).matches() && names.contains(host);
    }

    private static void addInterfaceAddresses(Set<InetAddress> addresses) {
        try {
            for (NetworkInterface i : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                addresses.addAll(Collections.list(i.getInetAddresses()));
            }
        } catch (SocketException e) {
            // none listed: loopback and configured names still work
        }
    }

    private static InetAddress literal(String text) {
        InetAddress a = literalOrNull(text);
        if (a == null) {
            throw new IllegalArgumentException("not an address literal: " + text);
        }
        return a;
    }

    /** The address an IPv4 or IPv6 literal (brackets allowed) names, or null: never a lookup. */
    private static InetAddress literalOrNull(String text) {
        String t =
                text.startsWith("[") && text.endsWith("]")
                        ? text.substring(1, text.length() - 1)
                        : text;
        boolean v4 = IPV4.matcher(t).matches();
        boolean v6 = t.contains(":") && t.matches("[0-9a-f:.]+");
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(t); // a literal: parsed, not looked up
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
