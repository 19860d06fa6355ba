package io.suite.writeguard;

import java.io.IOException;
import java.net.InetAddress;
import java.util.UUID;

/** Who this write path is in heartbeats: service name and a per-process instance id. */
record Identity(String service, String instance) {
    static Identity of(WriteGuardConfig config) {
        String host = System.getenv().getOrDefault("HOSTNAME", "");
        if (host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                host = "host";
            }
        }
        String instance = config.instanceId()
                .orElse(host + "-" + UUID.randomUUID().toString().substring(0, 6));
        return new Identity(config.service(), instance);
    }
}
