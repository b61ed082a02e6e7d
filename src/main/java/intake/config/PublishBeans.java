package intake.config;

import intake.publish.PublishFailures;
import intake.publish.RecordSizeLimit;
import intake.publish.TopicProvisioner;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires what keeps the publish path from sending what Kafka refuses for good: the record size limit and the failure classification. */
@Configuration(proxyBeanMethods = false)
public class PublishBeans {

    /** Start-up stops when an HTTP channel's body limit lets in a raw payload the producer could never send. */
    @Bean
    RecordSizeLimit recordSizeLimit(TopicProvisioner topicProvisioner,
                                    @Value("${intake.channels.forms.max-body-bytes}") long formsLimit,
                                    @Value("${intake.channels.webhooks.max-body-bytes}") long webhooksLimit,
                                    @Value("${intake.channels.twilio.max-body-bytes}") long twilioLimit,
                                    @Value("${intake.channels.meta.max-body-bytes}") long metaLimit,
                                    // the producer's own default when the property is not set
                                    @Value("${camel.component.kafka.max-request-size:1048576}") long maxRequestSize) {
        RecordSizeLimit.requireBodyFits("intake.channels.forms.max-body-bytes", formsLimit, maxRequestSize);
        RecordSizeLimit.requireBodyFits("intake.channels.webhooks.max-body-bytes", webhooksLimit, maxRequestSize);
        RecordSizeLimit.requireBodyFits("intake.channels.twilio.max-body-bytes", twilioLimit, maxRequestSize);
        RecordSizeLimit.requireBodyFits("intake.channels.meta.max-body-bytes", metaLimit, maxRequestSize);
        return new RecordSizeLimit(maxRequestSize, topicProvisioner);
    }

    @Bean
    PublishFailures publishFailures() {
        return new PublishFailures();
    }
}
