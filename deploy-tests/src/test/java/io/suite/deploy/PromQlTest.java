package io.suite.deploy;

import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PromQlTest {

    @Test
    void keepsMetricsAndDropsFunctionsLabelsAndDurations() {
        assertEquals(
                Set.of("locks_wait_seconds_bucket"),
                PromQl.metricNames(
                        "histogram_quantile(0.95, sum by (le, space) (rate(locks_wait_seconds_bucket{outcome=\"granted\"}[5m])))"));
    }

    @Test
    void readsBothSidesOfBinaryOperatorsAndKeywords() {
        assertEquals(
                Set.of("locks_timeouts_total", "backup_last_success_timestamp_seconds"),
                PromQl.metricNames(
                        "sum(rate(locks_timeouts_total[5m])) > 0.2 and time() - max(backup_last_success_timestamp_seconds) > 26 * 3600"
                                + " unless on (instance) sum(rate(locks_timeouts_total[1h] offset 1h)) > bool 1e3"));
    }

    @Test
    void labelValuesThatLookLikeNamesAreNotMetrics() {
        assertEquals(
                Set.of("maintenance_write_paths", "up"),
                PromQl.metricNames(
                        "sum without (state) (maintenance_write_paths{state=~\"lost|drained\"}) / ignoring(job) up{job='suite'}"));
    }

    @Test
    void selectorByNameMatcherOnlyHasNoName() {
        assertEquals(Set.of(), PromQl.metricNames("count({__name__=~\"locks_.*\"})"));
    }
}
