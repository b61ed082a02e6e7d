package intake.ingress;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** Counts the parameters of a raw query string by name, decoded and lowercased as headers are compared. */
final class QueryParameters {

    private QueryParameters() {
    }

    /**
     * How many times each parameter name occurs in {@code rawQuery} ({@code a=1&a=2&b} has a twice and b once).
     * A name with a malformed escape is counted as written: no engine decodes it to anything else.
     */
    static Map<String, Integer> countByName(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return Map.of();
        }
        Map<String, Integer> counts = new HashMap<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            counts.merge(decode(name).toLowerCase(Locale.ROOT), 1, Integer::sum);
        }
        return counts;
    }

    private static String decode(String name) {
        try {
            return URLDecoder.decode(name, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return name;
        }
    }
}
