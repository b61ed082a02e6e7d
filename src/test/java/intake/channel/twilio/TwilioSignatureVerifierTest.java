package intake.channel.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.twilio.security.RequestValidator;
import intake.ingress.IntakeRejection;
import java.lang.reflect.Method;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class TwilioSignatureVerifierTest {

    private static final String DOCS_TOKEN = "12345";
    private static final String DOCS_URL = "https://mycompany.com/myapp.php";
    private static final String DOCS_QUERY = "foo=1&bar=2";

    // The worked example of Twilio's "Webhooks security" page
    // (https://www.twilio.com/docs/usage/security#validating-requests): auth token 12345, a POST to
    // https://mycompany.com/myapp.php?foo=1&bar=2 with these parameters, signed 0/KCTR6DLpKmkAf8muzZqo1nDgQ=.
    private static final Map<String, String> DOCS_PARAMS = ordered(
            "CallSid", "CA1234567890ABCDE",
            "Caller", "+12349013030",
            "Digits", "1234",
            "From", "+12349013030",
            "To", "+18005551212");
    private static final String DOCS_SIGNATURE = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";

    // The same request with Caller and From +14158675309, from twilio-java's own test
    // (github.com/twilio/twilio-java, src/test/java/com/twilio/security/RequestValidatorTest.java), which
    // also gives the signatures Twilio makes with an explicit port.
    private static final Map<String, String> SDK_PARAMS = ordered(
            "Digits", "1234",
            "CallSid", "CA1234567890ABCDE",
            "To", "+18005551212",
            "Caller", "+14158675309",
            "From", "+14158675309");
    private static final String SDK_SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";
    private static final String SDK_SIGNATURE_HTTPS_443 = "kvajT1Ptam85bY51eRf/AJRuM3w=";
    private static final String SDK_SIGNATURE_HTTP_80 = "0ZXoZLH/DfblKGATFgpif+LLRf4=";
    private static final String SDK_SIGNATURE_HTTP_1234 = "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=";

    private static final String TOKEN = "9f1c7e0b2d4a48c6a3e5f7b9d1c3e5a7";

    private final TwilioSignatureVerifier docs = new TwilioSignatureVerifier(DOCS_TOKEN, null);

    private static Map<String, String> ordered(String... namesAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return map;
    }

    private static byte[] form(Map<String, String> params) {
        return params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"))
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Twilio's algorithm written out once more, independently of the class under test. */
    private static String sign(String token, String url, Map<String, String> params) {
        StringBuilder data = new StringBuilder(url);
        new TreeMap<>(params).forEach((name, value) -> data.append(name).append(value));
        return hmacSha1(token, data.toString());
    }

    private static String hmacSha1(String token, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The signature the SDK itself computes; its method is private, and validate() only says yes or no. */
    private static String sdkSignature(String token, String url, Map<String, String> params) throws Exception {
        Method method = RequestValidator.class.getDeclaredMethod("getValidationSignature", String.class, Map.class);
        method.setAccessible(true);
        return (String) method.invoke(new RequestValidator(token), url, params);
    }

    private static String flipOneCharacter(String signature, int at) {
        char c = signature.charAt(at);
        char flipped = c == 'A' ? 'B' : 'A';
        return signature.substring(0, at) + flipped + signature.substring(at + 1);
    }

    private static void assertRejected(ThrowingCallable call, int status, String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(IntakeRejection.class, rejection -> {
            assertThat(rejection.status()).isEqualTo(status);
            assertThat(rejection.getMessage()).isEqualTo(message);
        });
    }

    @Test
    void acceptsTheExampleOfTwilioSecurityDocs() {
        assertThat(sign(DOCS_TOKEN, DOCS_URL + "?" + DOCS_QUERY, DOCS_PARAMS)).isEqualTo(DOCS_SIGNATURE);
        assertThatCode(() -> docs.verify(DOCS_SIGNATURE, DOCS_URL, "/myapp.php", DOCS_QUERY, form(DOCS_PARAMS)))
                .doesNotThrowAnyException();
        assertThat(new RequestValidator(DOCS_TOKEN).validate(DOCS_URL + "?" + DOCS_QUERY, DOCS_PARAMS, DOCS_SIGNATURE))
                .isTrue();
    }

    @Test
    void acceptsTheVectorsOfTwilioJavasOwnTest() {
        byte[] body = form(SDK_PARAMS);

        assertThatCode(() -> docs.verify(SDK_SIGNATURE, DOCS_URL, "/myapp.php", DOCS_QUERY, body))
                .doesNotThrowAnyException();
        // Twilio has signed the URL with the scheme's port written out...
        assertThatCode(() -> docs.verify(SDK_SIGNATURE_HTTPS_443, DOCS_URL, "/myapp.php", DOCS_QUERY, body))
                .doesNotThrowAnyException();
        assertThatCode(() -> docs.verify(SDK_SIGNATURE_HTTP_80, "http://mycompany.com/myapp.php", "/myapp.php",
                DOCS_QUERY, body)).doesNotThrowAnyException();
        // ...kept a port it was given for http, and dropped one it was given for https.
        assertThatCode(() -> docs.verify(SDK_SIGNATURE_HTTP_1234, "http://mycompany.com:1234/myapp.php", "/myapp.php",
                DOCS_QUERY, body)).doesNotThrowAnyException();
        assertThatCode(() -> docs.verify(SDK_SIGNATURE, "https://mycompany.com:1234/myapp.php", "/myapp.php",
                DOCS_QUERY, body)).doesNotThrowAnyException();
    }

    @Test
    void agreesWithTheSdkOnGeneratedRequests() throws Exception {
        Random random = new Random(20240501);
        List<String> urls = List.of(
                "https://intake.example.com/whatsapp/twilio",
                "https://intake.example.com/whatsapp/twilio?tenant=acme&x=a%20b",
                "http://intake.example.com/whatsapp/twilio",
                "https://intake.example.com:8443/whatsapp/twilio",
                "http://localhost:8080/whatsapp/twilio?check=1");
        String alphabet = "abcXYZ019 +&=%/:?#éü€😀\u00a0\t";
        for (int round = 0; round < 60; round++) {
            Map<String, String> params = new LinkedHashMap<>();
            params.put("Body", randomText(random, alphabet, random.nextInt(40)));
            params.put("From", "whatsapp:+1415555" + (1000 + random.nextInt(9000)));
            params.put("To", "whatsapp:+14155238886");
            params.put("MessageSid", "SM" + Long.toHexString(random.nextLong()));
            params.put("ProfileName", randomText(random, alphabet, random.nextInt(12)));
            params.put("NumMedia", Integer.toString(random.nextInt(3)));
            for (int extra = random.nextInt(4); extra > 0; extra--) {
                params.put("X" + randomText(random, "abcABC_", 1 + random.nextInt(6)), randomText(random, alphabet, 5));
            }
            String url = urls.get(round % urls.size());
            int q = url.indexOf('?');
            String requestUrl = q < 0 ? url : url.substring(0, q);
            String query = q < 0 ? null : url.substring(q + 1);
            String path = requestUrl.substring(requestUrl.indexOf('/', requestUrl.indexOf("://") + 3));
            String token = Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong());
            TwilioSignatureVerifier ours = new TwilioSignatureVerifier(token, null);
            RequestValidator sdk = new RequestValidator(token);
            byte[] body = form(params);

            String sdkMade = sdkSignature(token, url, params);
            assertThat(sdk.validate(url, params, sdkMade)).isTrue();
            assertThatCode(() -> ours.verify(sdkMade, requestUrl, path, query, body))
                    .as("SDK-made signature of %s %s", url, params)
                    .doesNotThrowAnyException();

            String ourMade = sign(token, url, params);
            assertThat(ourMade).isEqualTo(sdkMade);
            assertThat(sdk.validate(url, params, ourMade)).isTrue();

            // Not the last two characters: '=' and the one whose low bits base64 discards.
            String forged = flipOneCharacter(ourMade, random.nextInt(ourMade.length() - 2));
            assertThat(sdk.validate(url, params, forged)).isFalse();
            assertThatThrownBy(() -> ours.verify(forged, requestUrl, path, query, body))
                    .isInstanceOf(IntakeRejection.class);

            Map<String, String> changed = new LinkedHashMap<>(params);
            changed.put("Body", params.get("Body") + "!");
            assertThat(sdk.validate(url, changed, ourMade)).isFalse();
            assertThatThrownBy(() -> ours.verify(ourMade, requestUrl, path, query, form(changed)))
                    .isInstanceOf(IntakeRejection.class);
        }
    }

    private static String randomText(Random random, String alphabet, int length) {
        StringBuilder text = new StringBuilder();
        int[] codePoints = alphabet.codePoints().toArray();
        for (int i = 0; i < length; i++) {
            text.appendCodePoint(codePoints[random.nextInt(codePoints.length)]);
        }
        return text.toString();
    }

    @Test
    void signsTheParametersInNameOrderWhateverTheBodyOrder() {
        List<String> names = new ArrayList<>(DOCS_PARAMS.keySet());
        Collections.reverse(names);
        Map<String, String> reversed = new LinkedHashMap<>();
        names.forEach(name -> reversed.put(name, DOCS_PARAMS.get(name)));

        assertThatCode(() -> docs.verify(DOCS_SIGNATURE, DOCS_URL, "/myapp.php", DOCS_QUERY, form(reversed)))
                .doesNotThrowAnyException();
    }

    @Test
    void signsEachDistinctValueOfARepeatedNameInValueOrder() {
        // twilio-node (toFormUrlEncodedParam) and twilio-python (compute_signature) both append
        // name+value once per distinct value, values sorted; twilio-java takes one value per name.
        String url = "https://intake.example.com/whatsapp/twilio";
        String expected = hmacSha1(TOKEN, url + "Bodyhi" + "MediaUrlhttps://a" + "MediaUrlhttps://b" + "To+1");
        TwilioSignatureVerifier verifier = new TwilioSignatureVerifier(TOKEN, null);
        byte[] body = ("To=%2B1&MediaUrl=https%3A%2F%2Fb&Body=hi&MediaUrl=https%3A%2F%2Fa&MediaUrl=https%3A%2F%2Fb")
                .getBytes(StandardCharsets.UTF_8);

        assertThatCode(() -> verifier.verify(expected, url, "/whatsapp/twilio", null, body)).doesNotThrowAnyException();
        String firstValueOnly = hmacSha1(TOKEN, url + "Bodyhi" + "MediaUrlhttps://b" + "To+1");
        assertThatThrownBy(() -> verifier.verify(firstValueOnly, url, "/whatsapp/twilio", null, body))
                .isInstanceOf(IntakeRejection.class);
    }

    @Test
    void usesThePublicBaseUrlBehindAProxy() {
        String publicUrl = "https://intake.example.com/whatsapp/twilio";
        Map<String, String> params = ordered("Body", "Olá", "From", "whatsapp:+5511999990000");
        String signature = sign(TOKEN, publicUrl + "?tenant=acme", params);
        // What Intake sees behind a TLS-terminating proxy: another scheme, host and port.
        String seen = "http://10.0.3.7:8080/whatsapp/twilio";

        for (String base : List.of("https://intake.example.com", "https://intake.example.com/", " https://intake.example.com// ")) {
            TwilioSignatureVerifier behindProxy = new TwilioSignatureVerifier(TOKEN, base);
            assertThatCode(() -> behindProxy.verify(signature, seen, "/whatsapp/twilio", "tenant=acme", form(params)))
                    .as(base)
                    .doesNotThrowAnyException();
        }
        assertRejected(() -> new TwilioSignatureVerifier(TOKEN, null)
                        .verify(signature, seen, "/whatsapp/twilio", "tenant=acme", form(params)),
                401, "X-Twilio-Signature does not match a request to http://10.0.3.7:8080/whatsapp/twilio"
                        + " signed with the configured auth token");
        assertRejected(() -> new TwilioSignatureVerifier(TOKEN, "  ")
                        .verify(signature, seen, "/whatsapp/twilio", "tenant=acme", form(params)),
                401, "X-Twilio-Signature does not match a request to http://10.0.3.7:8080/whatsapp/twilio"
                        + " signed with the configured auth token");
    }

    @Test
    void aPublicBaseUrlMayCarryThePathPrefixAProxyStrips() {
        Map<String, String> params = ordered("Body", "hi");
        String signature = sign(TOKEN, "https://gateway.example.com/intake/whatsapp/twilio", params);
        TwilioSignatureVerifier verifier = new TwilioSignatureVerifier(TOKEN, "https://gateway.example.com/intake/");

        assertThatCode(() -> verifier.verify(signature, "http://intake:8080/whatsapp/twilio", "/whatsapp/twilio", "",
                form(params))).doesNotThrowAnyException();
    }

    @Test
    void thePathIsTheWholeRequestPathWithTheServletContextPath() {
        // Exchange.HTTP_URI carries /ctx/whatsapp/twilio under a servlet context path /ctx, where
        // Exchange.HTTP_PATH would carry /whatsapp/twilio only; Twilio signed the former.
        Map<String, String> params = ordered("Body", "hi");
        String signature = sign(TOKEN, "https://intake.example.com/ctx/whatsapp/twilio", params);
        TwilioSignatureVerifier verifier = new TwilioSignatureVerifier(TOKEN, "https://intake.example.com");

        assertThatCode(() -> verifier.verify(signature, "http://10.0.3.7:8080/ctx/whatsapp/twilio",
                "/ctx/whatsapp/twilio", null, form(params))).doesNotThrowAnyException();
        assertThatThrownBy(() -> verifier.verify(signature, "http://10.0.3.7:8080/ctx/whatsapp/twilio",
                "/whatsapp/twilio", null, form(params))).isInstanceOf(IntakeRejection.class);
    }

    @Test
    void toleratesTheDefaultPortWrittenOutOrLeftOut() {
        Map<String, String> params = ordered("Body", "hi", "From", "+15550001111");
        byte[] body = form(params);
        TwilioSignatureVerifier direct = new TwilioSignatureVerifier(TOKEN, null);

        String signedWith443 = sign(TOKEN, "https://intake.example.com:443/whatsapp/twilio", params);
        String signedWithout = sign(TOKEN, "https://intake.example.com/whatsapp/twilio", params);
        for (String seen : List.of("https://intake.example.com/whatsapp/twilio", "https://intake.example.com:443/whatsapp/twilio")) {
            for (String signature : List.of(signedWith443, signedWithout)) {
                assertThatCode(() -> direct.verify(signature, seen, "/whatsapp/twilio", null, body)).doesNotThrowAnyException();
            }
        }
        String signedWith80 = sign(TOKEN, "http://intake.example.com:80/whatsapp/twilio", params);
        assertThatCode(() -> direct.verify(signedWith80, "http://intake.example.com/whatsapp/twilio", "/whatsapp/twilio",
                null, body)).doesNotThrowAnyException();
        // 80 is not https's port, nor 443 http's.
        String httpsWith80 = sign(TOKEN, "https://intake.example.com:80/whatsapp/twilio", params);
        assertThatThrownBy(() -> direct.verify(httpsWith80, "https://intake.example.com/whatsapp/twilio", "/whatsapp/twilio",
                null, body)).isInstanceOf(IntakeRejection.class);

        TwilioSignatureVerifier behindProxy = new TwilioSignatureVerifier(TOKEN, "https://intake.example.com");
        assertThatCode(() -> behindProxy.verify(signedWith443, "http://10.0.3.7:8080/whatsapp/twilio",
                "/whatsapp/twilio", null, body)).doesNotThrowAnyException();
        TwilioSignatureVerifier behindProxyWithPort = new TwilioSignatureVerifier(TOKEN, "https://intake.example.com:443");
        assertThatCode(() -> behindProxyWithPort.verify(signedWithout, "http://10.0.3.7:8080/whatsapp/twilio",
                "/whatsapp/twilio", null, body)).doesNotThrowAnyException();
    }

    @Test
    void aNonDefaultPortIsTriedWithAndWithoutAsTheSdkDoes() {
        Map<String, String> params = ordered("Body", "hi");
        byte[] body = form(params);
        TwilioSignatureVerifier direct = new TwilioSignatureVerifier(TOKEN, null);
        String seen = "https://intake.example.com:8443/whatsapp/twilio";

        for (String signedUrl : List.of(seen, "https://intake.example.com/whatsapp/twilio")) {
            String signature = sign(TOKEN, signedUrl, params);
            assertThat(new RequestValidator(TOKEN).validate(seen, params, signature)).isTrue();
            assertThatCode(() -> direct.verify(signature, seen, "/whatsapp/twilio", null, body)).doesNotThrowAnyException();
        }
        String otherPort = sign(TOKEN, "https://intake.example.com:9443/whatsapp/twilio", params);
        assertThat(new RequestValidator(TOKEN).validate(seen, params, otherPort)).isFalse();
        assertThatThrownBy(() -> direct.verify(otherPort, seen, "/whatsapp/twilio", null, body))
                .isInstanceOf(IntakeRejection.class);
    }

    @Test
    void portVariantsKeepUserInfoAndIpv6Hosts() {
        assertThat(TwilioSignatureVerifier.portVariants("https://u:p@[::1]/a?b=1"))
                .containsExactly("https://u:p@[::1]:443/a?b=1", "https://u:p@[::1]/a?b=1");
        assertThat(TwilioSignatureVerifier.portVariants("http://[::1]:8080/a"))
                .containsExactly("http://[::1]:8080/a", "http://[::1]/a");
        assertThat(TwilioSignatureVerifier.portVariants("https://host"))
                .containsExactly("https://host:443", "https://host");
    }

    @Test
    void refusesAMissingSignature() {
        for (String missing : new String[] {null, "", "  "}) {
            assertRejected(() -> docs.verify(missing, DOCS_URL, "/myapp.php", DOCS_QUERY, form(DOCS_PARAMS)),
                    401, "Missing header X-Twilio-Signature");
        }
    }

    @Test
    void refusesASignatureThatIsNotBase64() {
        assertRejected(() -> docs.verify("not base64!", DOCS_URL, "/myapp.php", DOCS_QUERY, form(DOCS_PARAMS)),
                401, "X-Twilio-Signature is not base64");
    }

    @Test
    void refusesAMismatchNamingTheUrlButNotTheQueryOrTheExpectedSignature() {
        String mismatch = "X-Twilio-Signature does not match a request to https://mycompany.com/myapp.php"
                + " signed with the configured auth token";
        Map<String, String> tampered = new LinkedHashMap<>(DOCS_PARAMS);
        tampered.put("Digits", "9999");

        assertRejected(() -> docs.verify(DOCS_SIGNATURE, DOCS_URL, "/myapp.php", DOCS_QUERY, form(tampered)), 401, mismatch);
        assertRejected(() -> docs.verify(DOCS_SIGNATURE, DOCS_URL, "/myapp.php", "foo=1&bar=3", form(DOCS_PARAMS)),
                401, mismatch);
        assertRejected(() -> docs.verify(flipOneCharacter(DOCS_SIGNATURE, 3), DOCS_URL, "/myapp.php", DOCS_QUERY,
                form(DOCS_PARAMS)), 401, mismatch);
        assertRejected(() -> new TwilioSignatureVerifier("54321", null)
                .verify(DOCS_SIGNATURE, DOCS_URL, "/myapp.php", DOCS_QUERY, form(DOCS_PARAMS)), 401, mismatch);
        assertRejected(() -> docs.verify(DOCS_SIGNATURE, "https://mycompany.com/myapp.php/", "/myapp.php/", DOCS_QUERY,
                form(DOCS_PARAMS)), 401, mismatch.replace("myapp.php", "myapp.php/"));
    }

    @Test
    void refusesAnAddedOrRemovedParameter() {
        Map<String, String> added = new LinkedHashMap<>(DOCS_PARAMS);
        added.put("Extra", "");
        Map<String, String> removed = new LinkedHashMap<>(DOCS_PARAMS);
        removed.remove("Caller");

        assertThatThrownBy(() -> docs.verify(DOCS_SIGNATURE, DOCS_URL, "/myapp.php", DOCS_QUERY, form(added)))
                .isInstanceOfSatisfying(IntakeRejection.class, r -> assertThat(r.status()).isEqualTo(401));
        assertThatThrownBy(() -> docs.verify(DOCS_SIGNATURE, DOCS_URL, "/myapp.php", DOCS_QUERY, form(removed)))
                .isInstanceOfSatisfying(IntakeRejection.class, r -> assertThat(r.status()).isEqualTo(401));
    }

    @Test
    void refusesABodyThatIsNotAFormAsMalformed() {
        assertThatThrownBy(() -> docs.verify(DOCS_SIGNATURE, DOCS_URL, "/myapp.php", DOCS_QUERY,
                "Body=100%".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(IntakeRejection.class, r -> assertThat(r.status()).isEqualTo(400));
    }

    @Test
    void refusalsNeverShowTheTokenOrCredentialsInTheBaseUrl() {
        TwilioSignatureVerifier verifier = new TwilioSignatureVerifier(TOKEN, "https://twilio:s3cret@intake.example.com");

        assertThatThrownBy(() -> verifier.verify(DOCS_SIGNATURE, "http://10.0.3.7/whatsapp/twilio", "/whatsapp/twilio",
                "key=abc", form(DOCS_PARAMS)))
                .isInstanceOf(IntakeRejection.class)
                .hasMessage("X-Twilio-Signature does not match a request to https://intake.example.com/whatsapp/twilio"
                        + " signed with the configured auth token")
                .message().doesNotContain(TOKEN).doesNotContain("s3cret").doesNotContain("key=abc");
    }

    @Test
    void refusesAnUnusableConfigurationAtConstruction() {
        for (String token : new String[] {null, "", " "}) {
            assertThatThrownBy(() -> new TwilioSignatureVerifier(token, null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("The Twilio auth token is missing");
        }
        for (String base : List.of("intake.example.com", "ftp://intake.example.com", "https://intake.example.com/?a=1",
                "https://intake.example.com/#top", "https:///path", "https://exa mple.com")) {
            assertThatThrownBy(() -> new TwilioSignatureVerifier(TOKEN, base))
                    .as(base)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Twilio public base URL");
        }
    }
}
