package io.streamlip.filter.fetch;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A block of IPv4 or IPv6 addresses, {@code 10.0.0.0/8} or {@code fc00::/7}; a bare address is a
 * block of one. Parsed from literals only: nothing here asks DNS.
 */
record Cidr(byte[] prefix, int bits, String text) {

    /**
     * The block {@code text} names.
     *
     * @throws IllegalArgumentException when it is not an address literal with an optional {@code
     *     /bits} in range
     */
    static Cidr parse(String text) {
        String t = text.strip();
        int slash = t.indexOf('/');
        String address = slash < 0 ? t : t.substring(0, slash);
        // Literals only: InetAddress.getByName would ask DNS for a name.
        if (address.isEmpty() || !address.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a network such as 10.0.0.0/8");
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(address).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a network such as 10.0.0.0/8");
        }
        int bits;
        try {
            bits = slash < 0 ? bytes.length * 8 : Integer.parseInt(t.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "': the prefix length is not a number");
        }
        if (bits < 0 || bits > bytes.length * 8) {
            throw new IllegalArgumentException(
                    "'" + text + "': the prefix length must lie in [0, " + bytes.length * 8 + "]");
        }
        return new Cidr(bytes, bits, t);
    }

    /** Whether {@code address} lies in this block (an IPv4 address never in an IPv6 block). */
    boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length != prefix.length) {
            return false;
        }
        int full = bits / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != prefix[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[full] & mask) == (prefix[full] & mask);
    }

    @Override
    public String toString() {
        return text;
    }
}
