package intake.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.impl.engine.DefaultHeadersMapFactory;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/**
 * HttpIngress on the Camel message alone, as both platform-http engines fill it: request headers
 * first, then the query parameters appended under the same case-insensitive names.
 */
class HttpIngressTest {

    private final HttpIngress ingress = new HttpIngress(Clock.fixed(Instant.parse("2026-12-06T10:00:00Z"), ZoneOffset.UTC));

    @Test
    void keepsTheChannelsHeadersAndNothingElse() {
        Exchange exchange = request("{}");
        exchange.getIn().setHeader("Content-Type", "application/json");
        exchange.getIn().setHeader("User-Agent", "curl/8");
        exchange.getIn().setHeader("Authorization", "Bearer secret");
        exchange.getIn().setHeader("kafka.OVERRIDE_TOPIC", "elsewhere");

        ingress.open(exchange, "webform", 1024);

        RawPayload raw = exchange.getProperty(IntakeExchange.RAW, RawPayload.class);
        assertThat(raw.headers()).containsOnly(entry("content-type", "application/json"), entry("user-agent", "curl/8"));
        assertThat(raw.bytes()).asString(StandardCharsets.UTF_8).isEqualTo("{}");
        assertThat(raw.receivedAt()).isEqualTo(Instant.parse("2026-12-06T10:00:00Z"));
    }

    @Test
    void aQueryParameterNamedLikeAKeptHeaderIsNeverStoredAsOne() {
        Exchange exchange = request("{}");
        // what the engines make of "User-Agent: curl/8" and "?user%2Dagent=forged&ORIGIN=https://evil.example"
        exchange.getIn().setHeader("User-Agent", List.of("curl/8", "forged"));
        exchange.getIn().setHeader("Origin", "https://evil.example");
        exchange.getIn().setHeader(Exchange.HTTP_QUERY, "user%2Dagent=forged&ORIGIN=https://evil.example");

        ingress.open(exchange, "webform", 1024);

        assertThat(exchange.getProperty(IntakeExchange.RAW, RawPayload.class).headers())
                .containsEntry("user-agent", "curl/8")
                .doesNotContainKey("origin");
    }

    @Test
    void aRepeatedHeaderKeepsEveryValueInOrder() {
        Exchange exchange = request("{}");
        exchange.getIn().setHeader("webhook-signature", List.of("v1,first", "v1,second"));

        ingress.open(exchange, "webhook", 1024);

        assertThat(exchange.getProperty(IntakeExchange.RAW, RawPayload.class).headers())
                .containsEntry("webhook-signature", "v1,first, v1,second");
    }

    @Test
    void aDeclaredLengthOverTheLimitIsRefusedBeforeTheBodyIsRead() {
        Exchange exchange = request(new ByteArrayInputStream(new byte[0]) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                throw new AssertionError("the body must not be read");
            }
        });
        exchange.getIn().setHeader(Exchange.CONTENT_LENGTH, 2048L);

        assertThatThrownBy(() -> ingress.open(exchange, "webform", 1024))
                .isInstanceOfSatisfying(IntakeRejection.class, rejection -> assertThat(rejection.status()).isEqualTo(413));
    }

    @Test
    void aStreamWithoutADeclaredLengthIsReadOnlyToTheLimitPlusOne() {
        ByteArrayInputStream stream = new ByteArrayInputStream(new byte[10_000]);
        Exchange exchange = request(stream);

        assertThatThrownBy(() -> ingress.open(exchange, "webform", 1024))
                .isInstanceOfSatisfying(IntakeRejection.class, rejection -> assertThat(rejection.status()).isEqualTo(413));
        assertThat(stream.available()).isEqualTo(10_000 - 1025);
    }

    @Test
    void anUnsafeCorrelationIdIsReplaced() {
        assertThat(HttpIngress.correlationId("abc-123")).isEqualTo("abc-123");
        assertThat(HttpIngress.correlationId("bad\nid")).isNotEqualTo("bad\nid").hasSize(36);
    }

    private static Exchange request(Object body) {
        DefaultCamelContext camel = new DefaultCamelContext();
        // HTTP header names are case-insensitive, and so are the headers of the engines' messages
        camel.getCamelContextExtension().setHeadersMapFactory(new DefaultHeadersMapFactory());
        Exchange exchange = new DefaultExchange(camel);
        exchange.getIn().setBody(body);
        return exchange;
    }
}
