package io.streamlip.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PipelineTopics;
import java.net.InetAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard answers only requests that name it by a loopback name or address (DNS rebinding: a
 * page of another site whose name resolves to 127.0.0.1 sends its own name as Host).
 */
class DashboardHostTest {
    static Monitor monitor;
    static DashboardServer dashboard;
    static int port;

    @BeforeAll
    static void start() {
        KafkaClients nowhere = KafkaClients.of("127.0.0.1:" + PipelineFixture.closedPort());
        monitor = new Monitor(nowhere, PipelineTopics.defaults(), MonitorConfig.defaults());
        dashboard = DashboardServer.start(monitor, InetAddress.getLoopbackAddress(), 0);
        port = dashboard.port();
    }

    @AfterAll
    static void stop() {
        if (dashboard != null) {
            dashboard.close();
        }
        if (monitor != null) {
            monitor.close();
        }
    }

    @Test
    void loopbackNamesAreServed() throws Exception {
        for (String host :
                new String[] {
                    "localhost",
                    "localhost:" + port,
                    "LocalHost:" + port,
                    "127.0.0.1",
                    "127.0.0.1:" + port,
                    "[::1]",
                    "[::1]:" + port
                }) {
            RawHttp.Response r = RawHttp.get(port, "/api/config", host);
            assertThat(r.status()).as("Host: %s", host).isEqualTo(200);
            assertThat(r.body()).contains("refreshMillis");
        }
        assertThat(RawHttp.get(port, "/", "localhost:" + port).body()).contains("<html");
    }

    @Test
    void foreignHostsAreRefused() throws Exception {
        for (String host :
                new String[] {
                    "evil.example.com",
                    "evil.example.com:" + port,
                    "localhost.evil.example.com:" + port,
                    "127.0.0.1.nip.io:" + port,
                    "localhost:" + (port == 65535 ? 1 : port + 1),
                    "localhost:x",
                    "10.0.0.1:" + port,
                    "[::2]:" + port,
                    ""
                }) {
            for (String path : new String[] {"/api/snapshot", "/api/history", "/"}) {
                RawHttp.Response r = RawHttp.get(port, path, host);
                assertThat(r.status()).as("Host: %s %s", host, path).isEqualTo(421);
                assertThat(r.body()).doesNotContain("refreshMillis", "<html").hasSizeLessThan(200);
            }
        }
        assertThat(RawHttp.get(port, "/api/config", null).status()).isEqualTo(421);
    }
}
