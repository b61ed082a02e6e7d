package intake.ingress;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses an {@code application/x-www-form-urlencoded} body (UTF-8), keeping every value of a repeated name. */
public final class FormBody {

    private FormBody() {
    }

    /**
     * The parameters in the order they first appear; a repeated name keeps all its values in order.
     * {@code a} without {@code =} is {@code a} with an empty value; empty segments are skipped.
     *
     * @throws IntakeRejection 400 when a percent escape is invalid or a name or value is not UTF-8
     */
    public static Map<String, List<String>> parse(byte[] body) {
        Map<String, List<String>> form = new LinkedHashMap<>();
        if (body == null) {
            return Collections.unmodifiableMap(form);
        }
        int parameter = 0;
        int start = 0;
        while (start <= body.length) {
            int end = indexOf(body, (byte) '&', start, body.length);
            if (end > start) {
                parameter++;
                int equals = indexOf(body, (byte) '=', start, end);
                String name = decode(body, start, equals, "the name of parameter " + parameter);
                String value = equals == end ? "" : decode(body, equals + 1, end, "the value of parameter " + parameter);
                form.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
            }
            start = end + 1;
        }
        form.replaceAll((name, values) -> Collections.unmodifiableList(values));
        return Collections.unmodifiableMap(form);
    }

    /** The first value of {@code name}, or null when the form does not have it. */
    public static String first(Map<String, List<String>> form, String name) {
        List<String> values = form.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static int indexOf(byte[] bytes, byte wanted, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return to;
    }

    // Works on bytes, not on a String decoded first: a percent escape may be one byte of a
    // multi-byte UTF-8 character, and only the whole run of bytes can be checked as UTF-8.
    private static String decode(byte[] body, int from, int to, String what) {
        byte[] out = new byte[to - from];
        int length = 0;
        for (int i = from; i < to; i++) {
            byte b = body[i];
            if (b == '+') {
                out[length++] = ' ';
            } else if (b == '%') {
                int high = i + 1 < to ? Character.digit(body[i + 1], 16) : -1;
                int low = i + 2 < to ? Character.digit(body[i + 2], 16) : -1;
                if (high < 0 || low < 0) {
                    throw IntakeRejection.malformed("The form body has an invalid percent escape at byte " + i
                            + ", in " + what + ": '%' must be followed by two hexadecimal digits");
                }
                out[length++] = (byte) (high << 4 | low);
                i += 2;
            } else {
                out[length++] = b;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out, 0, length))
                    .toString();
        } catch (CharacterCodingException e) {
            throw IntakeRejection.malformed("The form body is not valid UTF-8 in " + what
                    + " (starting at byte " + from + ")");
        }
    }
}
