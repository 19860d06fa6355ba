package io.suite.locks;

import java.time.Duration;

/** The default limits, for plain unit tests of the parser and the rule. */
class TestLimits implements LockConfig {
    public String keyPrefix() {
        return "lock:";
    }

    public Duration waitTimeout() {
        return Duration.ofSeconds(20);
    }

    public Duration maxWaitTimeout() {
        return Duration.ofMinutes(10);
    }

    public Duration defaultLease() {
        return Duration.ofSeconds(30);
    }

    public int escalationThreshold() {
        return 1000;
    }

    public int maxItemsPerRequest() {
        return 10000;
    }

    public int maxInValues() {
        return 1000;
    }

    public int maxOwnerLength() {
        return 200;
    }

    public int maxLabelLength() {
        return 500;
    }

    public int maxNameLength() {
        return 200;
    }

    public Duration drainRecountInterval() {
        return Duration.ofMillis(100);
    }

    public Duration recheckInterval() {
        return Duration.ofMillis(250);
    }

    public int snapshotMaxEntries() {
        return 5000;
    }

    public Duration streamRefresh() {
        return Duration.ofSeconds(5);
    }

    public Duration redisTimeout() {
        return Duration.ofSeconds(2);
    }

    public Duration waiterLease() {
        return Duration.ofSeconds(5);
    }

    public int metricsMaxSpaces() {
        return 200;
    }

    public int escalationMaxValues() {
        return 64;
    }

    public EscalationCover escalationCover() {
        return EscalationCover.NARROW;
    }

    public Duration logWaitsOver() {
        return Duration.ofSeconds(1);
    }

    public Duration incidentsRetention() {
        return Duration.ofDays(7);
    }

    public String incidentsTopic() {
        return "lock-incidents";
    }

    public String incidentsBootstrapServers() {
        return "127.0.0.1:9092";
    }

    public Duration incidentsRelayEvery() {
        return Duration.ofSeconds(1);
    }

    public Duration incidentsRelayClaimAfter() {
        return Duration.ofSeconds(30);
    }
}
