package intake.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The extractor the metric-name check relies on: metrics in, functions, keywords, labels and durations out. */
class PromqlMetricNamesTest {

    @Test
    void keepsTheMetricsOfARuleAndDropsFunctionsLabelsAndDurations() {
        assertThat(PromqlMetricNames.of("""
                (sum(rate(http_server_requests_seconds_count{status=~"5..", uri!~"/actuator.*"}[5m])) or vector(0))
                / sum(rate(http_server_requests_seconds_count{uri!~"/actuator.*"}[5m])) > 0.01"""))
                .containsExactly("http_server_requests_seconds_count");
        assertThat(PromqlMetricNames.of("histogram_quantile(0.99, sum by (le) (rate(kafka_message_processing_duration_seconds_bucket[$__rate_interval])))"))
                .containsExactly("kafka_message_processing_duration_seconds_bucket");
        assertThat(PromqlMetricNames.of("max(intake_outbox_depth) > 0 and max(deriv(intake_outbox_depth[10m])) > 0 unless on (instance) up offset 1d"))
                .containsExactly("intake_outbox_depth", "up");
        assertThat(PromqlMetricNames.of("sum(x_total) by (reason, status) / ignoring(le) group_left(job) y > bool 1e3"))
                .containsExactly("x_total", "y");
    }
}
