package io.streamlip.deploy;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Free TCP ports for processes that must be told their port before they start. A port is picked
 * below the system's ephemeral range ({@code /proc/sys/net/ipv4/ip_local_port_range}; 32768 where
 * it cannot be read), where the operating system never hands out a port by itself: a port taken
 * from that range (by binding port 0) could be handed out again, to a process that binds port 0 in
 * the seconds before ours starts, as a TaskManager starting beside the broker did. One picker never
 * gives a port twice.
 */
public final class LoopbackPorts {
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int LOWEST = 10_000;
    private static final int DEFAULT_EPHEMERAL_START = 32_768;
    private static final int ATTEMPTS = 1_000;

    private final int low;
    private final int high;
    private final SplittableRandom random = new SplittableRandom();
    private final Set<Integer> given = new HashSet<>();

    private LoopbackPorts(int low, int high) {
        this.low = low;
        this.high = high;
    }

    /** A picker of ports from {@value #LOWEST} to just below the ephemeral range. */
    public static LoopbackPorts belowEphemeralRange() {
        int ephemeralStart = ephemeralStart();
        if (ephemeralStart - LOWEST < 1_000) {
            throw new IllegalStateException(
                    "the ephemeral port range starts at "
                            + ephemeralStart
                            + ": too few ports below it to pick from");
        }
        return new LoopbackPorts(LOWEST, ephemeralStart - 1);
    }

    /** A port that is free on every interface now and that this picker has not given before. */
    public int free() {
        return freeRange(1);
    }

    /**
     * The first of {@code count} consecutive ports that are free now on every interface (servers
     * such as Flink's Prometheus reporter bind the wildcard address and take the first free port of
     * a range) and that this picker has not given before, e.g. for {@code first + "-" + (first +
     * count - 1)}.
     */
    public int freeRange(int count) {
        if (count < 1 || count > high - low + 1) {
            throw new IllegalArgumentException("count must be 1 to " + (high - low + 1));
        }
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int first = low + random.nextInt(high - low + 2 - count);
            if (allFree(first, count)) {
                for (int port = first; port < first + count; port++) {
                    given.add(port);
                }
                return first;
            }
        }
        throw new IllegalStateException(
                "no " + count + " consecutive free ports found in " + low + "-" + high);
    }

    private boolean allFree(int first, int count) {
        for (int port = first; port < first + count; port++) {
            if (given.contains(port)) {
                return false;
            }
            try (ServerSocket socket = new ServerSocket(port)) {
                socket.setReuseAddress(true);
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    private static int ephemeralStart() {
        // One read from the start: a sysctl file answers a read past offset 0 with its end, so
        // Files.readString, which reads one byte first when a file's size is 0, gets "3".
        try (BufferedReader in =
                Files.newBufferedReader(EPHEMERAL_RANGE, StandardCharsets.US_ASCII)) {
            String range = in.readLine();
            return Integer.parseInt(range.trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return DEFAULT_EPHEMERAL_START;
        }
    }
}
