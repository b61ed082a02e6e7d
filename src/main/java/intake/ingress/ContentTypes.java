package intake.ingress;

import java.util.Locale;

/** Media-type checks for the 415 answer. */
public final class ContentTypes {

    public static final String JSON = "application/json";
    public static final String FORM = "application/x-www-form-urlencoded";

    private ContentTypes() {
    }

    /** The media type without parameters, lowercased; empty when the header is absent. */
    public static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    /** The media type of the header when it is one of {@code accepted}; 415 otherwise. */
    public static String require(String contentType, String... accepted) {
        String mediaType = mediaType(contentType);
        for (String candidate : accepted) {
            if (candidate.equals(mediaType)) {
                return mediaType;
            }
        }
        throw IntakeRejection.unsupportedMediaType(contentType == null ? "" : contentType, String.join(" or ", accepted));
    }
}
