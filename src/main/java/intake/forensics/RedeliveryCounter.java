package intake.forensics;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Runs before each redelivery and keeps the attempt count on the exchange: the dead-letter channel
 * removes Camel's own redelivery headers before the dead-letter route sees the exchange.
 */
public class RedeliveryCounter implements Processor {

    static final String REDELIVERIES = "intakeRedeliveries";

    @Override
    public void process(Exchange exchange) {
        exchange.setProperty(REDELIVERIES, exchange.getIn().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class));
    }
}
