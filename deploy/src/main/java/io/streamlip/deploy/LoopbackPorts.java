package io.streamlip.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free TCP ports on loopback, for processes that must be told their port before they start. */
public final class LoopbackPorts {
    private LoopbackPorts() {}

    /** A port that is free on 127.0.0.1 now (another process may take it before it is used). */
    public static int free() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on loopback", e);
        }
    }

    /**
     * The first of {@code count} consecutive ports that are free now on every interface (servers
     * such as Flink's Prometheus reporter bind the wildcard address and take the first free port of
     * a range), e.g. for {@code first + "-" + (first + count - 1)}.
     */
    public static int freeRange(int count) {
        for (int attempt = 0; attempt < 100; attempt++) {
            int first = free();
            if (first + count - 1 <= 65535 && allFree(first, count)) {
                return first;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free ports found");
    }

    private static boolean allFree(int first, int count) {
        for (int port = first; port < first + count; port++) {
            try (ServerSocket socket = new ServerSocket(port)) {
                socket.setReuseAddress(true);
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
