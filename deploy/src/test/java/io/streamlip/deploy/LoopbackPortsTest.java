package io.streamlip.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoopbackPortsTest {
    @Test
    void picksFreePortsBelowTheEphemeralRangeAndNeverTheSameTwice() throws IOException {
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        int ephemeralStart = 32_768;
        if (Files.isReadable(range)) {
            try (var in = Files.newBufferedReader(range)) {
                ephemeralStart = Integer.parseInt(in.readLine().trim().split("\\s+")[0]);
            }
        }
        LoopbackPorts ports = LoopbackPorts.belowEphemeralRange();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            int port = ports.free();
            assertThat(port).isBetween(10_000, ephemeralStart - 1);
            assertThat(seen.add(port)).as("port %d given twice", port).isTrue();
        }
        int first = ports.freeRange(5);
        for (int port = first; port < first + 5; port++) {
            assertThat(seen).doesNotContain(port);
            try (ServerSocket socket = new ServerSocket(port)) {
                assertThat(socket.getLocalPort()).isEqualTo(port); // free: it binds
            }
        }
    }
}
