package intake.channel.twilio;

import intake.ingress.FormBody;
import intake.ingress.IntakeRejection;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

/** Checks Twilio's {@code X-Twilio-Signature}: HMAC-SHA1 of the URL and the sorted POST parameters. */
public final class TwilioSignatureVerifier {

    private static final String HMAC_SHA1 = "HmacSHA1";
    public static final String HEADER = "X-Twilio-Signature";

    private final List<SecretKeySpec> keys;
    private final String publicBaseUrl;

    /** One auth token; see {@link #TwilioSignatureVerifier(String, String, String)}. */
    public TwilioSignatureVerifier(String authToken, String publicBaseUrl) {
        this(authToken, null, publicBaseUrl);
    }

    /**
     * @param authToken          the Twilio account's (primary) auth token
     * @param secondaryAuthToken its secondary auth token, accepted too while it is being promoted; null or blank for none
     * @param publicBaseUrl      the scheme, host and any path prefix Twilio calls (e.g.
     *                           {@code https://intake.example.com}); Intake always configures it
     *                           (RouteBeans), since the URL a request arrives with is the caller's to
     *                           choose; null or blank uses the request URL as received (Twilio's own examples)
     * @throws IllegalArgumentException when the auth token is blank or the base URL is not http(s)
     */
    public TwilioSignatureVerifier(String authToken, String secondaryAuthToken, String publicBaseUrl) {
        if (authToken == null || authToken.isBlank()) {
            throw new IllegalArgumentException("The Twilio auth token is missing");
        }
        this.keys = Stream.of(authToken, secondaryAuthToken).filter(t -> t != null && !t.isBlank())
                .map(t -> new SecretKeySpec(t.getBytes(StandardCharsets.UTF_8), HMAC_SHA1)).toList();
        this.publicBaseUrl = publicBaseUrl == null || publicBaseUrl.isBlank() ? null : baseUrl(publicBaseUrl.trim());
    }

    private static String baseUrl(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("The Twilio public base URL '" + url + "' is not a URL");
        }
        if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("The Twilio public base URL '" + url
                    + "' must be http(s)://host[:port][/prefix] without query or fragment");
        }
        String base = url;
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return base;
    }

    /**
     * What can be refused before the body is read: a request without the signature header.
     *
     * @throws IntakeRejection 401 when the header is missing
     */
    public void requireSignatureHeader(@Header(HEADER) String signature) {
        if (signature == null || signature.isBlank()) {
            throw IntakeRejection.unauthenticated("Missing header " + HEADER);
        }
    }

    /**
     * Returns normally when the signature matches the request.
     *
     * @param requestUrl  {@link Exchange#HTTP_URL}: scheme, host, port and path as this server saw them
     * @param requestUri  {@link Exchange#HTTP_URI}: the request path as received, servlet context path
     *                    included ({@link Exchange#HTTP_PATH} leaves the context path out, so it is not
     *                    the path Twilio requested when Intake runs under one)
     * @param query       {@link Exchange#HTTP_QUERY}: the raw query string, without {@code ?}
     * @param body        the raw {@code application/x-www-form-urlencoded} body
     * @throws IntakeRejection 401 when the signature is missing or does not match; 400 when the body
     *                         is not a valid form
     */
    public void verify(@Header(HEADER) String signature,
                       @Header(Exchange.HTTP_URL) String requestUrl,
                       @Header(Exchange.HTTP_URI) String requestUri,
                       @Header(Exchange.HTTP_QUERY) String query,
                       @Body byte[] body) {
        requireSignatureHeader(signature);
        byte[] given;
        try {
            given = Base64.getDecoder().decode(signature.trim());
        } catch (IllegalArgumentException e) {
            throw IntakeRejection.unauthenticated(HEADER + " is not base64");
        }
        String url = signedUrl(requestUrl, requestUri, query);
        String parameters = parameters(FormBody.parse(body));
        for (SecretKeySpec key : keys) {
            Mac mac = newMac(key);
            for (String candidate : portVariants(url)) {
                byte[] expected = mac.doFinal((candidate + parameters).getBytes(StandardCharsets.UTF_8));
                if (MessageDigest.isEqual(expected, given)) {
                    return;
                }
            }
        }
        throw IntakeRejection.unauthenticated(HEADER + " does not match a request to " + withoutQueryOrUser(url)
                + " signed with the configured auth token");
    }

    private String signedUrl(String requestUrl, String requestUri, String query) {
        String url;
        if (publicBaseUrl != null) {
            String path = requestUri == null ? "" : requestUri;
            url = publicBaseUrl + (path.isEmpty() || path.startsWith("/") ? path : "/" + path);
        } else {
            if (requestUrl == null || requestUrl.isBlank()) {
                // Without either, no URL can be rebuilt; a configuration fault, not the caller's.
                throw new IllegalStateException("The request has no " + Exchange.HTTP_URL
                        + " header and no Twilio public base URL is configured");
            }
            url = requestUrl;
        }
        return query == null || query.isEmpty() ? url : url + '?' + query;
    }

    /**
     * Names sorted, each followed by its value. A repeated name contributes each distinct value once,
     * values sorted: what twilio-node's and twilio-python's validators do (twilio-java takes one value
     * per name, so it cannot check such a request at all).
     */
    static String parameters(Map<String, List<String>> form) {
        StringBuilder data = new StringBuilder();
        new TreeMap<>(form).forEach((name, values) -> {
            for (String value : new TreeSet<>(values)) {
                data.append(name).append(value);
            }
        });
        return data.toString();
    }

    /**
     * The URL with its port (the explicit one, else 443 for https and 80 for http) and without any
     * port, as Twilio's RequestValidator tries both: Twilio has signed either form.
     */
    static List<String> portVariants(String url) {
        int schemeEnd = url.indexOf("://");
        if (schemeEnd < 0) {
            return List.of(url);
        }
        int authorityStart = schemeEnd + 3;
        int authorityEnd = authorityStart;
        while (authorityEnd < url.length() && "/?#".indexOf(url.charAt(authorityEnd)) < 0) {
            authorityEnd++;
        }
        String authority = url.substring(authorityStart, authorityEnd);
        int hostStart = authority.lastIndexOf('@') + 1;
        int colon = authority.lastIndexOf(':');
        boolean hasPort = colon >= hostStart && colon > authority.lastIndexOf(']');
        String hostOnly = hasPort ? authority.substring(0, colon) : authority;
        String scheme = url.substring(0, schemeEnd);
        String port = hasPort ? authority.substring(colon + 1) : "https".equalsIgnoreCase(scheme) ? "443" : "80";
        String before = url.substring(0, authorityStart);
        String after = url.substring(authorityEnd);
        Set<String> variants = new LinkedHashSet<>();
        variants.add(before + hostOnly + ':' + port + after);
        variants.add(before + hostOnly + after);
        return new ArrayList<>(variants);
    }

    // Said in the refusal to tell a proxy set-up fault from a bad token, without the query or any
    // credentials a base URL may carry.
    private static String withoutQueryOrUser(String url) {
        int query = url.indexOf('?');
        String shown = query < 0 ? url : url.substring(0, query);
        int schemeEnd = shown.indexOf("://");
        int at = shown.indexOf('@');
        int pathStart = schemeEnd < 0 ? -1 : shown.indexOf('/', schemeEnd + 3);
        if (schemeEnd >= 0 && at > schemeEnd && (pathStart < 0 || at < pathStart)) {
            shown = shown.substring(0, schemeEnd + 3) + shown.substring(at + 1);
        }
        return shown;
    }

    // Mac is not thread-safe and this bean serves concurrent requests: one instance per call.
    private static Mac newMac(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance(HMAC_SHA1);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot compute " + HMAC_SHA1 + " with the Twilio auth token", e);
        }
    }
}
