package intake.ingress;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/** Parses a JSON request body into a tree; anything that is not one JSON object is a 400. */
public final class JsonBody {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    static {
        // Bodies are already capped in bytes; a nesting cap keeps a hostile body from exhausting the stack.
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
    }

    private JsonBody() {
    }

    public static JsonNode parseObject(byte[] body) {
        JsonNode tree;
        try {
            tree = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw IntakeRejection.malformed("The body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw IntakeRejection.malformed("The body could not be read as JSON");
        }
        if (tree == null || !tree.isObject()) {
            throw IntakeRejection.malformed("The body must be a JSON object");
        }
        return tree;
    }

    /** A text field's value; null when absent or JSON null; a 422 entry when it is not a string. */
    public static String text(JsonNode node, String name, String path, FieldValidator fields) {
        JsonNode value = node == null ? null : node.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            fields.reject(path, "must be a string");
            return null;
        }
        return value.textValue();
    }
}
