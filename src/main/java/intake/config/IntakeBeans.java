package intake.config;

import intake.channel.email.EmailIntake;
import intake.channel.email.EmailTicketReader;
import intake.channel.form.SupportFormReader;
import intake.channel.meta.MetaHandshake;
import intake.channel.meta.MetaMessageReader;
import intake.channel.meta.MetaSignatureVerifier;
import intake.channel.twilio.TwilioMessageReader;
import intake.channel.twilio.TwilioSignatureVerifier;
import intake.channel.webhook.StandardWebhookVerifier;
import intake.channel.webhook.WebhookEventReader;
import intake.channel.webhook.WebhookFields;
import intake.ingress.AcceptedRequests;
import intake.ingress.HttpIngress;
import intake.ingress.HttpReplies;
import intake.publish.KafkaRecords;
import intake.publish.RecordHeaderFilter;
import intake.publish.RecordSizeLimit;
import intake.publish.TopicProvisioner;
import intake.publish.Topics;
import intake.ticket.StatusTokens;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Wires the plain beans the YAML routes call by name. The beans know nothing of Spring; this is
 * the one place that binds them to Spring Boot's configuration.
 *
 * <p>Every bean is defined whatever the configuration, because the build runs Spring AOT, which
 * fixes the set of bean definitions at build time (docs/runbook.md#start-up-time): a channel is
 * switched on or off by its properties at run time. A disabled channel's bean is empty (a
 * {@code null} bean): its routes do not start ({@code precondition}) and so never look it up. An
 * enabled channel's bean checks its secrets, so a missing one stops start-up.
 */
@Configuration(proxyBeanMethods = false)
public class IntakeBeans {

    static final List<String> CHANNELS = List.of(SupportFormReader.CHANNEL, WebhookEventReader.CHANNEL,
            TwilioMessageReader.CHANNEL, EmailIntake.CHANNEL);

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    TopicProvisioner topicProvisioner(IntakeProperties intake, @Value("${camel.component.kafka.brokers}") String brokers,
                                      @Value("${intake.topics.create-timeout-ms}") long timeoutMillis) {
        Topics topics = intake.topics();
        List<String> names = new ArrayList<>();
        names.add(topics.tickets());
        CHANNELS.stream().map(topics::inbound).forEach(names::add);
        names.addAll(List.of(topics.decisions(), topics.escalations(), topics.agentMetrics(), topics.dlq()));
        return new TopicProvisioner(brokers, names, topics.partitions(), (short) topics.replicationFactor(), timeoutMillis);
    }

    @Bean
    RecordHeaderFilter recordHeaderFilter() {
        return new RecordHeaderFilter();
    }

    @Bean
    HttpIngress httpIngress(Clock clock) {
        return new HttpIngress(clock);
    }

    /** No default anywhere: without a secret of its own, start-up stops naming intake.tickets.status-secrets. */
    @Bean
    StatusTokens statusTokens(Environment environment) {
        return new StatusTokens(Binder.get(environment).bind(StatusTokens.SETTING, Bindable.listOf(String.class))
                .orElse(List.of()));
    }

    @Bean
    HttpReplies httpReplies(StatusTokens statusTokens) {
        return new HttpReplies(statusTokens);
    }

    @Bean
    AcceptedRequests acceptedRequests(MeterRegistry registry, @Value("${camel.main.name}") String camelContext) {
        return new AcceptedRequests(registry, camelContext);
    }

    @Bean
    KafkaRecords kafkaRecords(IntakeProperties intake) {
        return new KafkaRecords(intake.topics());
    }

    @Bean
    SupportFormReader supportForm() {
        return new SupportFormReader();
    }

    @Bean
    StandardWebhookVerifier webhookSignature(IntakeProperties intake, Clock clock) {
        IntakeProperties.Webhooks webhooks = intake.channels().webhooks();
        return new StandardWebhookVerifier(webhooks.secretsBySource(), webhooks.tolerance(), clock);
    }

    /** A source that declares where its fields are is checked here: a path that cannot work stops start-up, naming the property. */
    @Bean
    WebhookEventReader webhookEvents(IntakeProperties intake) {
        Map<String, WebhookFields> shapes = new TreeMap<>();
        intake.channels().webhooks().fieldsBySource().forEach((source, fields) ->
                shapes.put(source, WebhookFields.compile("intake.channels.webhooks.sources." + source + ".fields", fields.byName())));
        return new WebhookEventReader(shapes);
    }

    @Bean
    TwilioSignatureVerifier twilioSignature(IntakeProperties intake) {
        IntakeProperties.Twilio twilio = intake.channels().twilio();
        if (!twilio.enabled()) {
            return null;
        }
        TwilioSignatureVerifier verifier = new TwilioSignatureVerifier(twilio.authToken(), twilio.secondaryAuthToken(), twilio.publicUrl());
        if (twilio.publicUrl() == null || twilio.publicUrl().isBlank()) {
            throw new IllegalArgumentException("intake.channels.twilio.public-url must be set when the Twilio channel is enabled:"
                    + " the URL Twilio calls and signs, e.g. https://intake.example.com (INTAKE_CHANNELS_TWILIO_PUBLIC_URL)");
        }
        return verifier;
    }

    @Bean
    TwilioMessageReader twilioMessages() {
        return new TwilioMessageReader();
    }

    @Bean
    MetaSignatureVerifier metaSignature(IntakeProperties intake) {
        IntakeProperties.Meta meta = intake.channels().meta();
        return meta.enabled() ? new MetaSignatureVerifier(meta.appSecret(), meta.previousAppSecret()) : null;
    }

    @Bean
    MetaHandshake metaHandshake(IntakeProperties intake) {
        IntakeProperties.Meta meta = intake.channels().meta();
        return meta.enabled() ? new MetaHandshake(meta.verifyToken()) : null;
    }

    @Bean
    MetaMessageReader metaMessages() {
        return new MetaMessageReader();
    }

    @Bean
    EmailIntake emailIntake(Clock clock, @Value("${intake.channels.email.enabled}") boolean enabled,
                            @Value("${intake.channels.email.username}") String mailbox,
                            @Value("${intake.channels.email.max-message-bytes}") long maxMessageBytes,
                            @Value("${intake.channels.email.max-text-chars}") int maxTextChars,
                            // the producer's own default when the property is not set
                            @Value("${camel.component.kafka.max-request-size:1048576}") long maxRequestSize) {
        if (!enabled) {
            return null;
        }
        // each mail is one record, and one the producer refuses would fail on every poll
        RecordSizeLimit.requireBodyFits("intake.channels.email.max-message-bytes", maxMessageBytes, maxRequestSize);
        return new EmailIntake(new EmailTicketReader(maxMessageBytes, maxTextChars), mailbox, clock);
    }
}
