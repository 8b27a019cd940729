package io.streamlip.filter.fetch;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * Which addresses the fetcher may connect to: public ones, and non-public ones (private, loopback,
 * link-local, shared, multicast, reserved) only inside an allowed network. A URL from the web must
 * not make the job reach into the network it runs in (server-side request forgery).
 */
final class AddressPolicy {
    /**
     * The blocks that are not the public internet (IANA special-purpose registries). IPv4-mapped
     * IPv6 addresses need no entry: Java reads them as the IPv4 address they carry.
     */
    private static final List<Cidr> NON_PUBLIC =
            List.of(
                            "0.0.0.0/8",
                            "10.0.0.0/8",
                            "100.64.0.0/10",
                            "127.0.0.0/8",
                            "169.254.0.0/16",
                            "172.16.0.0/12",
                            "192.0.0.0/24",
                            "192.0.2.0/24",
                            "192.168.0.0/16",
                            "198.18.0.0/15",
                            "198.51.100.0/24",
                            "203.0.113.0/24",
                            "224.0.0.0/4",
                            "240.0.0.0/4",
                            "::/128",
                            "::1/128",
                            "64:ff9b::/96",
                            "100::/64",
                            "2001:db8::/32",
                            "fc00::/7",
                            "fe80::/10",
                            "fec0::/10",
                            "ff00::/8")
                    .stream()
                    .map(Cidr::parse)
                    .toList();

    private final List<Cidr> allowed;

    AddressPolicy(List<String> allowedNetworks) {
        this.allowed = allowedNetworks.stream().map(Cidr::parse).toList();
    }

    /**
     * Why {@code addresses} (all of a host's) may not be fetched from, or empty when every one is
     * public or allowed: one refused address refuses the host, since the client may pick any.
     */
    Optional<String> refusal(InetAddress[] addresses) {
        for (InetAddress address : addresses) {
            Optional<Cidr> block = nonPublicBlock(address);
            if (block.isPresent() && allowed.stream().noneMatch(a -> a.contains(address))) {
                return Optional.of(
                        address.getHostAddress()
                                + " is not a public address (in "
                                + block.get()
                                + "); allow it with --fetch-allow-private");
            }
        }
        return Optional.empty();
    }

    /** The special-purpose block holding {@code address}, if it is not public. */
    static Optional<Cidr> nonPublicBlock(InetAddress address) {
        return NON_PUBLIC.stream().filter(b -> b.contains(address)).findFirst();
    }
}
