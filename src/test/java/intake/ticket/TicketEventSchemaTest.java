package intake.ticket;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.junit.jupiter.api.Test;

/** Schema evolution rules for TicketEvent: every version in src/main/avro/history reads every older one. */
class TicketEventSchemaTest {

    private static final Pattern VERSION = Pattern.compile("TicketEvent-v(\\d+)\\.avsc");

    @Test
    void everyVersionCanReadEveryOlderOne() throws IOException {
        List<Path> versions = versions();
        assertThat(versions).isNotEmpty();
        for (int newer = 0; newer < versions.size(); newer++) {
            for (int older = 0; older < newer; older++) {
                Schema reader = parse(versions.get(newer));
                Schema writer = parse(versions.get(older));
                assertThat(SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType())
                        .as("%s reads %s", versions.get(newer).getFileName(), versions.get(older).getFileName())
                        .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
            }
        }
    }

    @Test
    void theCompiledSchemaIsTheNewestRecordedVersion() throws IOException {
        List<Path> versions = versions();
        Schema newest = parse(versions.get(versions.size() - 1));
        // the parsing canonical form ignores docs and the generated class's Java-specific properties
        long fingerprint = SchemaNormalization.parsingFingerprint64(newest);
        assertThat(SchemaNormalization.parsingFingerprint64(TicketEvent.getClassSchema())).isEqualTo(fingerprint);
        assertThat(SchemaNormalization.parsingFingerprint64(parse(Path.of("src/main/avro/TicketEvent.avsc")))).isEqualTo(fingerprint);
    }

    @Test
    void aLaterVersionDecodesWhatThisVersionWroteBecauseTheFingerprintTravelsWithIt() throws IOException {
        TicketEvent written = Tickets.newTicket("webform", "support-form", "m-1", "c-1", Instant.parse("2026-11-22T10:00:00Z"))
                .setCustomerId("ada@example.com")
                .setCustomerName("Ada")
                .setSubject("Hello")
                .setBody("Body text")
                .build();
        ByteBuffer bytes = written.toByteBuffer();

        Schema v2 = parse(Path.of("src/test/resources/avro/TicketEvent-v2-example.avsc"));
        BinaryMessageDecoder<GenericRecord> v2Reader = new BinaryMessageDecoder<>(GenericData.get(), v2);
        v2Reader.addSchema(TicketEvent.getClassSchema());
        GenericRecord read = v2Reader.decode(bytes);

        assertThat(read.get("ticketId").toString()).isEqualTo(written.getTicketId().toString());
        assertThat(read.get("customerId").toString()).isEqualTo("ada@example.com");
        assertThat(read.get("body").toString()).isEqualTo("Body text");
        assertThat(read.get("priority")).isNull();
        assertThat(read.get("language").toString()).isEqualTo("und");
    }

    private static List<Path> versions() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/main/avro/history"))) {
            return files.filter(f -> VERSION.matcher(f.getFileName().toString()).matches())
                    .sorted(Comparator.comparingInt(TicketEventSchemaTest::version))
                    .toList();
        }
    }

    private static int version(Path file) {
        Matcher matcher = VERSION.matcher(file.getFileName().toString());
        return matcher.matches() ? Integer.parseInt(matcher.group(1)) : -1;
    }

    private static Schema parse(Path file) throws IOException {
        return new Schema.Parser().parse(file.toFile());
    }
}
