package intake.config;

import intake.wiring.IntakeProperties;
import intake.wiring.RouteBeans;
import io.micrometer.core.instrument.MeterRegistry;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Spring Boot's part in the route beans: it gives {@link RouteBeans} the bound settings, the
 * datasource and the meter registry, and RouteBeans declares and binds the beans themselves, as it
 * does under Camel Main. Spring components reach them through the one {@code routeBeans} bean.
 *
 * <p>Every bean is defined whatever the configuration, because the build runs Spring AOT, which
 * fixes the set of bean definitions at build time (docs/runbook.md#start-up-time): a channel is
 * switched on or off by its properties at run time, inside RouteBeans.
 */
@Configuration(proxyBeanMethods = false)
public class RouteBeansConfiguration {

    @Bean
    RouteBeans routeBeans(IntakeProperties intake, Environment environment, DataSource dataSource, CamelContext camel,
                          MeterRegistry meterRegistry) {
        RouteBeans beans = new RouteBeans(intake, Binder.get(environment), dataSource, camel, meterRegistry);
        beans.bindTo(camel.getRegistry());
        return beans;
    }
}
