package intake.ticket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusTokensTest {

    private static final String SECRET = "a-unit-test-secret-of-32-bytes-or-more";
    private static final String OLD_SECRET = "the-secret-that-is-rotating-out-now";
    private static final String TICKET = "5b0c8f7e-1d2a-4c3b-9e8f-0a1b2c3d4e5f";

    private final StatusTokens tokens = new StatusTokens(List.of(SECRET, OLD_SECRET));

    @Test
    void theTokenIsTheHmacSha256OfTheTicketIdInBase64urlWithoutPadding() {
        // printf %s "$TICKET" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64 | tr '+/' '-_' | tr -d '='
        assertThat(tokens.token(TICKET)).isEqualTo("GuraHl8OUCaIivTySt970I3UFGvr-TjqgXps-hFJsgY");
        assertThat(tokens.statusUrl(TICKET)).isEqualTo("/tickets/" + TICKET + "?token=GuraHl8OUCaIivTySt970I3UFGvr-TjqgXps-hFJsgY");
    }

    @Test
    void theFirstSecretSignsAndEverySecretVerifies() {
        String signedWithTheOldSecret = new StatusTokens(List.of(OLD_SECRET)).token(TICKET);

        assertThat(signedWithTheOldSecret).isNotEqualTo(tokens.token(TICKET));
        assertThat(tokens.verifies(TICKET, tokens.token(TICKET))).isTrue();
        assertThat(tokens.verifies(TICKET, signedWithTheOldSecret)).isTrue();
        assertThat(new StatusTokens(List.of(SECRET)).verifies(TICKET, signedWithTheOldSecret))
                .as("once the old secret is removed, its tokens stop working").isFalse();
    }

    @Test
    void anyOtherTokenIsRefused() {
        String token = tokens.token(TICKET);
        char[] oneCharChanged = token.toCharArray();
        oneCharChanged[10] = oneCharChanged[10] == 'A' ? 'B' : 'A';

        assertThat(tokens.verifies(TICKET, null)).isFalse();
        assertThat(tokens.verifies(TICKET, "")).isFalse();
        assertThat(tokens.verifies(TICKET, new String(oneCharChanged))).isFalse();
        assertThat(tokens.verifies(TICKET, token + "=")).as("padded").isFalse();
        assertThat(tokens.verifies(TICKET, token.substring(1))).isFalse();
        assertThat(tokens.verifies(TICKET, tokens.token("another-ticket"))).as("another ticket's token").isFalse();
        assertThat(tokens.verifies(null, token)).isFalse();
    }

    @Test
    void noSecretOrAShortOneIsRefusedNamingTheSettingButNotTheSecret() {
        String shortSecret = "x".repeat(StatusTokens.MIN_SECRET_BYTES - 1);

        assertThatThrownBy(() -> new StatusTokens(List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("intake.tickets.status-secrets is missing");
        assertThatThrownBy(() -> new StatusTokens(null)).hasMessageContaining("intake.tickets.status-secrets is missing");
        assertThatThrownBy(() -> new StatusTokens(List.of(SECRET, shortSecret))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("intake.tickets.status-secrets[1] is 31 bytes long; it must be at least 32 bytes")
                .hasMessageNotContaining(shortSecret);
        assertThatThrownBy(() -> new StatusTokens(Arrays.asList((String) null)))
                .hasMessageContaining("intake.tickets.status-secrets[0] is 0 bytes long");
        assertThat(new StatusTokens(List.of("x".repeat(StatusTokens.MIN_SECRET_BYTES))).token(TICKET)).hasSize(43);
    }
}
