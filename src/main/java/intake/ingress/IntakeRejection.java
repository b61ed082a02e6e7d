package intake.ingress;

import java.util.List;

/** A request Intake refuses: the HTTP status and the JSON error the caller gets back. */
public class IntakeRejection extends RuntimeException {

    private final int status;
    private final String error;
    private final List<FieldError> fields;

    public IntakeRejection(int status, String error, String message, List<FieldError> fields) {
        super(message, null, false, false);
        this.status = status;
        this.error = error;
        this.fields = List.copyOf(fields);
    }

    public IntakeRejection(int status, String error, String message) {
        this(status, error, message, List.of());
    }

    public static IntakeRejection malformed(String message) {
        return new IntakeRejection(400, "malformed_body", message);
    }

    /** 401: the request's signature is missing, malformed, wrong or stale. */
    public static IntakeRejection unauthenticated(String message) {
        return new IntakeRejection(401, "invalid_signature", message);
    }

    public static IntakeRejection notFound(String message) {
        return new IntakeRejection(404, "not_found", message);
    }

    /** 503: Intake is starting or stopping and serves no channel yet (or any more). */
    public static IntakeRejection notServing() {
        return new IntakeRejection(503, "not_serving", "Intake is starting or stopping; retry in a moment");
    }

    /** 503: Intake is too loaded to take this request now; the caller retries after {@code Retry-After}. */
    public static IntakeRejection overloaded(String message) {
        return new IntakeRejection(503, "overloaded", message);
    }

    public static IntakeRejection tooLarge(long limit) {
        return new IntakeRejection(413, "payload_too_large", "The body is larger than this channel's limit of " + limit + " bytes");
    }

    public static IntakeRejection unsupportedMediaType(String contentType, String accepted) {
        return new IntakeRejection(415, "unsupported_media_type",
                "Content-Type '" + contentType + "' is not accepted here; send " + accepted);
    }

    public static IntakeRejection invalidFields(List<FieldError> fields) {
        return new IntakeRejection(422, "invalid_fields", "Some fields are missing or invalid", fields);
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    public List<FieldError> fields() {
        return fields;
    }

    /** One field that is missing or invalid, named with its path in the payload. */
    public record FieldError(String field, String message) {
    }
}
