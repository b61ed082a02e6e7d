package intake.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import intake.ticket.TicketCodec;
import intake.ticket.TicketEvent;
import intake.ticket.Tickets;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.MissingSchemaException;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ticket data format as routes use it: looked up by its bean name ({@code custom: ticketEvent})
 * in Camel's marshal and unmarshal steps, on a plain Camel context.
 */
class TicketDataFormatTest {

    private static CamelContext camel;
    private static ProducerTemplate template;

    @BeforeAll
    static void startCamel() throws Exception {
        camel = new DefaultCamelContext();
        camel.getRegistry().bind(TicketDataFormat.NAME, new TicketDataFormat());
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:marshal").marshal().custom(TicketDataFormat.NAME);
                from("direct:unmarshal").unmarshal().custom(TicketDataFormat.NAME);
            }
        });
        camel.start();
        template = camel.createProducerTemplate();
    }

    @AfterAll
    static void stopCamel() throws Exception {
        camel.close();
    }

    @Test
    void aTicketMarshalsToItsSingleObjectEncodingAndUnmarshalsBackEqual() {
        TicketEvent ticket = Tickets.newTicket("webhook", "shop", "m-1", "c-1", Instant.parse("2026-11-22T10:00:00Z"))
                .setCustomerId("ada@example.com").setCustomerName("Ada").setSubject("Refund").setBody("My parcel never came")
                .build();

        byte[] value = template.requestBody("direct:marshal", ticket, byte[].class);
        Object read = template.requestBody("direct:unmarshal", value);

        assertThat(value).isEqualTo(TicketCodec.encode(ticket));
        assertThat(Arrays.copyOf(value, 2)).containsExactly(0xC3, 0x01);
        assertThat(read).isInstanceOf(TicketEvent.class).isEqualTo(ticket);
    }

    @Test
    void aValueOfAnUnknownSchemaFingerprintIsAPoisonPill() {
        byte[] unknownSchema = ByteBuffer.allocate(14).put((byte) 0xC3).put((byte) 0x01).putLong(0x1234_5678_9ABC_DEF0L)
                .put(new byte[] {2, 4, 6, 8}).array();

        Exchange failed = unmarshal(unknownSchema);

        assertThat(failed.getException()).isInstanceOf(PoisonPillException.class)
                .hasMessageStartingWith("The record value is not a TicketEvent")
                .hasCauseInstanceOf(MissingSchemaException.class);
        assertThat(failed.getMessage().getBody()).isSameAs(unknownSchema);
    }

    @Test
    void aValueThatIsNotAvroAtAllIsAPoisonPill() {
        Exchange failed = unmarshal("not avro at all".getBytes(StandardCharsets.UTF_8));

        assertThat(failed.getException()).isInstanceOf(PoisonPillException.class)
                .hasMessageStartingWith("The record value is not a TicketEvent")
                .hasCauseInstanceOf(BadHeaderException.class);
    }

    @Test
    void truncatedBytesAndARecordWithoutAValueArePoisonPills() {
        byte[] value = TicketCodec.encode(Tickets.newTicket("webhook", "shop", "m-2", "c-2", Instant.now())
                .setCustomerId("bob@example.com").setSubject("Hi").setBody("Hello").build());

        assertThat(unmarshal(Arrays.copyOf(value, value.length - 3)).getException()).isInstanceOf(PoisonPillException.class)
                .hasMessageStartingWith("The record value is not a TicketEvent");
        assertThat(unmarshal(null).getException()).isInstanceOf(PoisonPillException.class)
                .hasMessage("The record has no value");
    }

    private static Exchange unmarshal(byte[] value) {
        return template.send("direct:unmarshal", exchange -> exchange.getIn().setBody(value));
    }
}
