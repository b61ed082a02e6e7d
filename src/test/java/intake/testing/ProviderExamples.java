package intake.testing;

import java.util.LinkedHashMap;
import java.util.Map;

/** Requests as the providers send them, shared by the channel tests and the Kamelet binding test. */
public final class ProviderExamples {

    private ProviderExamples() {
    }

    /** The form fields of a WhatsApp message with one image, as Twilio posts them. */
    public static Map<String, String> twilioWhatsApp(String messageSid) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("MessageSid", messageSid);
        params.put("AccountSid", "AC00000000000000000000000000000000");
        params.put("From", "whatsapp:+14155550100");
        params.put("To", "whatsapp:+14155238886");
        params.put("Body", "Hello, my parcel is late 📦");
        params.put("ProfileName", "Katherine");
        params.put("WaId", "14155550100");
        params.put("NumMedia", "1");
        params.put("MediaUrl0", "https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/MM0/Media/ME0");
        params.put("MediaContentType0", "image/jpeg");
        return params;
    }
}
