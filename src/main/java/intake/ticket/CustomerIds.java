package intake.ticket;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The customer id rules (docs/ticket-event.md): an email address lowercased, a phone number in
 * E.164 without any {@code whatsapp:} prefix, otherwise the provider's own user id as given.
 * The customer id is the Kafka record key, so one customer's messages stay on one partition.
 */
public final class CustomerIds {

    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$");
    private static final Pattern E164 = Pattern.compile("^\\+[1-9][0-9]{6,14}$");

    private CustomerIds() {
    }

    public static boolean isEmail(String value) {
        return value != null && value.length() <= 254 && EMAIL.matcher(value.trim()).matches();
    }

    public static String fromEmail(String email) {
        return email.trim().toLowerCase(Locale.ROOT);
    }

    /**
     * A phone number as E.164, or empty when it is not one. Accepts {@code whatsapp:+14155550100},
     * {@code +1 415 555 0100} and Meta's digits-only {@code 14155550100}.
     */
    public static Optional<String> fromPhone(String phone) {
        if (phone == null) {
            return Optional.empty();
        }
        String number = phone.trim();
        if (number.regionMatches(true, 0, "whatsapp:", 0, 9)) {
            number = number.substring(9);
        }
        number = number.replaceAll("[\\s().-]", "");
        if (!number.startsWith("+")) {
            number = "+" + number;
        }
        return E164.matcher(number).matches() ? Optional.of(number) : Optional.empty();
    }
}
