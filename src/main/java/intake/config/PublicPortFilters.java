package intake.config;

import intake.channel.meta.MetaSignatureVerifier;
import intake.channel.twilio.TwilioSignatureVerifier;
import intake.channel.webhook.StandardWebhookVerifier;
import intake.wiring.RouteBeans;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import org.apache.camel.component.platform.http.PlatformHttpConstants;
import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;
import org.apache.camel.component.platform.http.springboot.SpringBootPlatformHttpEngine;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The public port: its servlet filters in front of Camel, {@link ServingGate} (503 while Intake is
 * not ready) and {@link RequestBodyFilter} (every body held to its channel's limit while it is
 * read; docs/security.md says why they stand outside the routes), and the platform-http engine.
 */
@Configuration(proxyBeanMethods = false)
public class PublicPortFilters {

    /**
     * Each channel's path with its body limit, whether it takes forms, and what its verifier refuses
     * from the headers alone. A disabled channel has no route, so its path is not listed (404); nor is
     * any without the edge role (intake.roles), whose public port serves no channel.
     */
    @Bean
    RequestBodyFilter requestBodyFilter(RouteBeans routeBeans,
                                        @Value("${intake.channels.forms.max-body-bytes}") long formsLimit,
                                        @Value("${intake.channels.webhooks.max-body-bytes}") long webhooksLimit,
                                        @Value("${intake.channels.twilio.max-body-bytes}") long twilioLimit,
                                        @Value("${intake.channels.meta.max-body-bytes}") long metaLimit,
                                        @Value("${intake.http.max-body-bytes-in-flight}") long bodyBytesInFlight, MeterRegistry registry,
                                        @Value("${camel.main.name}") String camelContext,
                                        @Value("${intake.roles.edge:true}") boolean edge) {
        RequestBodyBudget budget = new RequestBodyBudget(bodyBytesInFlight, registry);
        if (!edge) {
            return new RequestBodyFilter(Map.of(), Map.of(), budget, registry, camelContext);
        }
        StandardWebhookVerifier webhookSignature = routeBeans.webhookSignature();
        TwilioSignatureVerifier twilioSignature = routeBeans.twilioSignature();
        MetaSignatureVerifier metaSignature = routeBeans.metaSignature();
        Map<String, RequestBodyFilter.Channel> byPath = new HashMap<>();
        byPath.put("/forms/support", new RequestBodyFilter.Channel("forms-support-ingress", formsLimit, true, (path, request) -> { }));
        if (twilioSignature != null) {
            byPath.put("/whatsapp/twilio", new RequestBodyFilter.Channel("whatsapp-twilio-ingress", twilioLimit, true,
                    (path, request) -> twilioSignature.requireSignatureHeader(request.getHeader(TwilioSignatureVerifier.HEADER))));
        }
        if (metaSignature != null) {
            byPath.put("/whatsapp/meta", new RequestBodyFilter.Channel("whatsapp-meta-ingress", metaLimit, false,
                    (path, request) -> metaSignature.requireSignatureHeader(request.getHeader(MetaSignatureVerifier.HEADER))));
        }
        Map<String, RequestBodyFilter.Channel> byPathPrefix = Map.of("/webhooks/", new RequestBodyFilter.Channel("webhooks-ingress", webhooksLimit, false,
                (path, request) -> webhookSignature.requireSignatureHeaders(path.substring("/webhooks/".length()),
                        request.getHeader("webhook-id"), request.getHeader("webhook-timestamp"), request.getHeader("webhook-signature"))));
        return new RequestBodyFilter(byPath, byPathPrefix, budget, registry, camelContext);
    }

    @Bean
    ServingGate servingGate(ApplicationAvailability availability, MeterRegistry registry) {
        return new ServingGate(availability, registry);
    }

    /**
     * platform-http on Spring Boot, run on the servlet container's own request thread. The starter's
     * engine hands every request to Spring's task pool and the container thread only waits: one more
     * thread switch each way per request, and a second pool to size, for routes that block on the
     * broker's acknowledgement anyway. With the request thread, Tomcat's thread pool
     * (server.tomcat.threads.max) alone bounds the requests in flight (docs/adr/0014).
     */
    @Bean(PlatformHttpConstants.PLATFORM_HTTP_ENGINE_NAME)
    PlatformHttpEngine platformHttpEngine(@Value("${server.port}") int port) {
        return new SpringBootPlatformHttpEngine(port, Runnable::run);
    }

    /** The request also ends on that thread: no second, asynchronous dispatch through Spring MVC once the route has answered. */
    @Bean
    static BeanPostProcessor doneFutureReturnValueHandler() {
        return DoneFutureReturnValueHandler.installer();
    }

    @Bean
    static ReadinessOnClose readinessOnClose() {
        return new ReadinessOnClose();
    }

}
