package intake.ingress;

import intake.ingress.IntakeRejection.FieldError;
import java.util.ArrayList;
import java.util.List;

/** Collects every field problem of one payload, so the caller learns them all in one 422. */
public final class FieldValidator {

    private final List<FieldError> errors = new ArrayList<>();

    /** The trimmed value, or null after recording why it is missing or too long. */
    public String required(String field, String value, int maxLength) {
        if (hasErrorFor(field)) {
            return null;
        }
        if (value == null || value.isBlank()) {
            errors.add(new FieldError(field, "is required"));
            return null;
        }
        return optional(field, value, maxLength);
    }

    /** The trimmed value or null when absent or blank; records an error when too long. */
    public String optional(String field, String value, int maxLength) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String trimmed = value.strip();
        if (trimmed.length() > maxLength) {
            errors.add(new FieldError(field, "must be at most " + maxLength + " characters"));
            return null;
        }
        return trimmed;
    }

    public void reject(String field, String message) {
        errors.add(new FieldError(field, message));
    }

    public boolean hasErrorFor(String field) {
        return errors.stream().anyMatch(e -> e.field().equals(field));
    }

    /** Throws the 422 when anything was recorded. */
    public void throwIfInvalid() {
        if (!errors.isEmpty()) {
            throw IntakeRejection.invalidFields(errors);
        }
    }
}
