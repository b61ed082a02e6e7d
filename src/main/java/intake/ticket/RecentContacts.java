package intake.ticket;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The contact history of a batch's customers, read once ({@link TicketStore#recentContacts}) and
 * kept up to date by the batch: each ticket it decides is added before the next is decided, as the
 * tickets table would have it one ticket at a time. Used by one consumer thread only.
 */
public class RecentContacts implements ContactHistory {

    private final Map<String, List<Instant>> receivedAt = new HashMap<>();

    /** A ticket of this customer, received then. */
    public void add(String customerId, Instant received) {
        receivedAt.computeIfAbsent(customerId, customer -> new ArrayList<>()).add(received);
    }

    @Override
    public int contactsBetween(String customerId, Instant from, Instant until) {
        int count = 0;
        for (Instant received : receivedAt.getOrDefault(customerId, List.of())) {
            if (!received.isBefore(from) && received.isBefore(until)) {
                count++;
            }
        }
        return count;
    }
}
