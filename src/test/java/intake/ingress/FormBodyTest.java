package intake.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FormBodyTest {

    private static Map<String, List<String>> parse(String body) {
        return FormBody.parse(body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void parsesATwilioWhatsAppWebhook() {
        Map<String, List<String>> form = parse("SmsMessageSid=SM1&NumMedia=0&ProfileName=Ana+Lu"
                + "&Body=Ol%C3%A1%2C+preciso+de+ajuda%21&From=whatsapp%3A%2B5511999990000&To=whatsapp%3A%2B14155238886");

        assertThat(form).containsExactly(
                Map.entry("SmsMessageSid", List.of("SM1")),
                Map.entry("NumMedia", List.of("0")),
                Map.entry("ProfileName", List.of("Ana Lu")),
                Map.entry("Body", List.of("Olá, preciso de ajuda!")),
                Map.entry("From", List.of("whatsapp:+5511999990000")),
                Map.entry("To", List.of("whatsapp:+14155238886")));
    }

    @Test
    void keepsTheOrderOfFirstAppearanceAndEveryValueOfARepeatedName() {
        Map<String, List<String>> form = parse("b=1&a=x&b=2&c=&b=3");

        assertThat(form.keySet()).containsExactly("b", "a", "c");
        assertThat(form.get("b")).containsExactly("1", "2", "3");
        assertThat(form.get("c")).containsExactly("");
    }

    @Test
    void aNameWithoutEqualsHasAnEmptyValue() {
        assertThat(parse("flag&a=1")).containsExactly(
                Map.entry("flag", List.of("")),
                Map.entry("a", List.of("1")));
    }

    @Test
    void skipsEmptySegments() {
        assertThat(parse("&a=1&&b=2&")).containsExactly(
                Map.entry("a", List.of("1")),
                Map.entry("b", List.of("2")));
        assertThat(parse("&&")).isEmpty();
    }

    @Test
    void anEmptyOrMissingBodyIsAnEmptyForm() {
        assertThat(FormBody.parse(new byte[0])).isEmpty();
        assertThat(FormBody.parse(null)).isEmpty();
    }

    @Test
    void decodesPlusAndPercentInNamesAndValues() {
        Map<String, List<String>> form = parse("first+name=a%2Bb+c&x%3Dy=%3D%26&e=%e2%82%ac");

        assertThat(form).containsExactly(
                Map.entry("first name", List.of("a+b c")),
                Map.entry("x=y", List.of("=&")),
                Map.entry("e", List.of("€")));
    }

    @Test
    void onlyTheFirstEqualsSplitsNameFromValue() {
        assertThat(parse("a=b=c")).containsExactly(Map.entry("a", List.of("b=c")));
    }

    @Test
    void acceptsUnescapedUtf8Bytes() {
        assertThat(parse("Body=caf\u00e9 \uD83D\uDE00")).containsExactly(Map.entry("Body", List.of("café 😀")));
    }

    @Test
    void firstGivesTheFirstValueOrNull() {
        Map<String, List<String>> form = parse("b=1&b=2");

        assertThat(FormBody.first(form, "b")).isEqualTo("1");
        assertThat(FormBody.first(form, "missing")).isNull();
    }

    @Test
    void theResultCannotBeChanged() {
        Map<String, List<String>> form = parse("a=1");

        assertThatThrownBy(() -> form.put("b", List.of())).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> form.get("a").add("2")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void refusesAPercentNotFollowedByTwoHexDigits() {
        for (String body : List.of("a=%zz", "a=1%", "a=%4", "a=%4&b=1", "%g0=1")) {
            assertThatThrownBy(() -> parse(body))
                    .as(body)
                    .isInstanceOfSatisfying(IntakeRejection.class, rejection -> {
                        assertThat(rejection.status()).isEqualTo(400);
                        assertThat(rejection.error()).isEqualTo("malformed_body");
                        assertThat(rejection.getMessage())
                                .contains("invalid percent escape")
                                .contains("two hexadecimal digits");
                    });
        }
    }

    @Test
    void sayWhereTheBadEscapeIs() {
        assertThatThrownBy(() -> parse("a=1&b=%zz"))
                .hasMessage("The form body has an invalid percent escape at byte 6, in the value of parameter 2:"
                        + " '%' must be followed by two hexadecimal digits");
        assertThatThrownBy(() -> parse("%g0=1"))
                .hasMessageContaining("in the name of parameter 1");
    }

    @Test
    void refusesEscapesThatAreNotUtf8() {
        assertThatThrownBy(() -> parse("a=1&b=%C3%28"))
                .isInstanceOfSatisfying(IntakeRejection.class, rejection -> {
                    assertThat(rejection.status()).isEqualTo(400);
                    assertThat(rejection.getMessage())
                            .isEqualTo("The form body is not valid UTF-8 in the value of parameter 2 (starting at byte 6)");
                });
        // A lone high byte (Latin-1 "é") and an overlong encoding of '/'.
        assertThatThrownBy(() -> parse("a=caf%E9")).hasMessageContaining("not valid UTF-8");
        assertThatThrownBy(() -> parse("a=%C0%AF")).hasMessageContaining("not valid UTF-8");
    }

    @Test
    void refusesRawBytesThatAreNotUtf8() {
        byte[] latin1 = "n\u00e9=1".getBytes(StandardCharsets.ISO_8859_1);

        assertThatThrownBy(() -> FormBody.parse(latin1))
                .isInstanceOf(IntakeRejection.class)
                .hasMessageContaining("not valid UTF-8 in the name of parameter 1");
    }
}
