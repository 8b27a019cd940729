package io.streamlip.filter.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** URLs as the web writes them, normalised before fetching, or refused with their own reason. */
class FetchUrlsTest {

    @Test
    void illegalCharactersArePercentEncodedAndEscapesKept() {
        assertThat(normalised("http://example.com/my photo (1).jpg?x=a b"))
                .isEqualTo("http://example.com/my%20photo%20(1).jpg?x=a%20b");
        assertThat(normalised("https://example.com/a\"b<c>{d}|e^`\\f[g].png"))
                .isEqualTo("https://example.com/a%22b%3Cc%3E%7Bd%7D%7Ce%5E%60%5Cf%5Bg%5D.png");
        assertThat(normalised("http://example.com/caf%C3%A9/100%.jpg"))
                .isEqualTo("http://example.com/caf%C3%A9/100%25.jpg");
        assertThat(normalised("http://example.com/café/😀.jpg"))
                .isEqualTo("http://example.com/caf%C3%A9/%F0%9F%98%80.jpg");
        assertThat(normalised("  http://example.com/a.jpg\t"))
                .isEqualTo("http://example.com/a.jpg");
    }

    @Test
    void hostsAreLowerCasedAndInternationalNamesPunycoded() {
        assertThat(normalised("HTTP://Example.COM/A.jpg")).isEqualTo("http://example.com/A.jpg");
        assertThat(normalised("http://bücher.example/x.jpg"))
                .isEqualTo("http://xn--bcher-kva.example/x.jpg");
        assertThat(normalised("https://例え.テスト/画像.jpg"))
                .isEqualTo("https://xn--r8jz45g.xn--zckzah/%E7%94%BB%E5%83%8F.jpg");
        assertThat(normalised("http://example.com./a.jpg")).isEqualTo("http://example.com/a.jpg");
        assertThat(normalised("http://[2001:DB8::1]:8080/a.jpg"))
                .isEqualTo("http://[2001:db8::1]:8080/a.jpg");
    }

    @Test
    void defaultPortsAndFragmentsAreDropped() {
        assertThat(normalised("http://example.com:80/a.jpg#top"))
                .isEqualTo("http://example.com/a.jpg");
        assertThat(normalised("https://example.com:443/a.jpg?q=1#x"))
                .isEqualTo("https://example.com/a.jpg?q=1");
        assertThat(normalised("https://example.com:80/a.jpg"))
                .isEqualTo("https://example.com:80/a.jpg");
        assertThat(normalised("http://example.com:0080")).isEqualTo("http://example.com/");
        assertThat(normalised("http://example.com?x")).isEqualTo("http://example.com/?x");
    }

    @Test
    void whatCannotBeAUrlIsRefusedWithItsOwnReason() {
        assertThat(refusal("ftp://example.com/a.jpg")).contains("not an http(s) URL");
        assertThat(refusal("example.com/a.jpg")).contains("not an http(s) URL");
        assertThat(refusal("http:///a.jpg")).contains("no host");
        assertThat(refusal("http://exa mple.com/a.jpg")).contains("bad host name");
        assertThat(refusal("http://example.com:99999/a.jpg")).contains("bad port");
        assertThat(refusal("http://example.com:x/a.jpg")).contains("bad port");
        assertThat(refusal("http://[::1/a.jpg")).contains("unclosed IPv6");
        assertThat(refusal("http://" + "a".repeat(70) + ".example/")).contains("bad host name");
    }

    @Test
    void theHostKeyIsTheNormalisedHost() {
        assertThat(FetchHostKey.host("http://Bücher.example:80/a b.jpg"))
                .isEqualTo("xn--bcher-kva.example");
        assertThat(FetchHostKey.host("not a url")).isEmpty();
    }

    private static String normalised(String url) {
        Verdict<URI> v = FetchUrls.normalise(url);
        assertThat(v.accepted()).as("%s: %s", url, v).isTrue();
        return v.value().toString();
    }

    private static String refusal(String url) {
        Verdict<URI> v = FetchUrls.normalise(url);
        assertThat(v).isInstanceOf(Verdict.Refused.class);
        Verdict.Refused<URI> refused = (Verdict.Refused<URI>) v;
        assertThat(refused.reason()).isEqualTo(RejectReason.FETCH_URL);
        return refused.detail();
    }
}
