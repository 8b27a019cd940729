package io.streamlip.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostCheckTest {
    static final byte[] LAN = {(byte) 192, (byte) 168, 7, 9};

    @Test
    void aLoopbackBindAllowsLoopbackNamesWithItsPortOrNone() throws Exception {
        HostCheck check = HostCheck.forBind(InetAddress.getByName("127.0.0.1"), 8470, List.of());
        assertThat(check.allows("localhost")).isTrue();
        assertThat(check.allows("localhost:8470")).isTrue();
        assertThat(check.allows("127.0.0.1:8470")).isTrue();
        assertThat(check.allows("[::1]:8470")).isTrue();
        assertThat(check.allows("[0:0:0:0:0:0:0:1]")).isTrue();
        assertThat(check.allows("localhost:8471")).isFalse();
        assertThat(check.allows("localhost:")).isFalse();
        assertThat(check.allows("attacker.example:8470")).isFalse();
        assertThat(check.allows("192.168.7.9:8470")).isFalse();
        assertThat(check.allows("127.0.0.2:8470")).isFalse();
        assertThat(check.allows("[::1")).isFalse();
        assertThat(check.allows("::1")).isFalse();
        assertThat(check.allows(null)).isFalse();
        assertThat(check.allows("x".repeat(10_000))).isFalse();
    }

    @Test
    void anotherBindAllowsItsAddressItsNameAndConfiguredNames() throws Exception {
        InetAddress byName = InetAddress.getByAddress("monitor.lan", LAN);
        HostCheck check = HostCheck.forBind(byName, 80, List.of("Dash.Example.org", "10.1.2.3"));
        assertThat(check.allows("192.168.7.9")).isTrue();
        assertThat(check.allows("192.168.7.9:80")).isTrue();
        assertThat(check.allows("MONITOR.lan:80")).isTrue();
        assertThat(check.allows("dash.example.org")).isTrue();
        assertThat(check.allows("10.1.2.3:80")).isTrue();
        assertThat(check.allows("localhost:80")).isTrue();
        assertThat(check.allows("monitor.lan.attacker.example")).isFalse();
        assertThat(check.allows("192.168.7.10:80")).isFalse();

        HostCheck byAddress = HostCheck.forBind(InetAddress.getByAddress(LAN), 80, List.of());
        assertThat(byAddress.allows("192.168.7.9:80")).isTrue();
        assertThat(byAddress.allows("monitor.lan:80")).isFalse();
    }

    @Test
    void theWildcardAllowsThisMachinesAddressesButNoForeignName() throws Exception {
        HostCheck check = HostCheck.forBind(InetAddress.getByName("0.0.0.0"), 80, List.of());
        assertThat(check.allows("127.0.0.1:80")).isTrue();
        assertThat(check.allows("0.0.0.0:80")).isTrue();
        assertThat(check.allows("attacker.example:80")).isFalse();
    }
}
