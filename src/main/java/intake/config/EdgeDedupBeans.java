package intake.config;

import intake.edge.EdgeDedup;
import intake.database.StatementTimeout;
import intake.edge.EdgeDeliveries;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the edge dedup step (route intake-dedup) to the database and its intake.edge-dedup.* settings. */
@Configuration(proxyBeanMethods = false)
public class EdgeDedupBeans {

    @Bean
    EdgeDedup edgeDedup(DataSource dataSource, Clock clock, StatementTimeout statementTimeout,
                        @Value("${intake.edge-dedup.horizon}") Duration horizon,
                        @Value("${intake.edge-dedup.claim-lease}") Duration claimLease) {
        return new EdgeDedup(new EdgeDeliveries(dataSource, clock, claimLease, statementTimeout), horizon, clock);
    }
}
