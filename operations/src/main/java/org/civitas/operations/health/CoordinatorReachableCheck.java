package org.civitas.operations.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * On a server that hosts sites (participant or standalone), ready when the coordinator answers
 * its participant API at all (any HTTP status: a 401 without a site token still proves it is up);
 * with several coordinator addresses, when any of them does.
 */
@Readiness
@ApplicationScoped
public class CoordinatorReachableCheck implements HealthCheck {

    private volatile HttpClient http;

    /** Reaches the coordinator the way the sites do: with this server's certificate when mutual TLS is configured. */
    private HttpClient http() {
        HttpClient client = http;
        if (client == null) {
            // HTTP/1.1 as the sites' REST client speaks: no cleartext HTTP/2 upgrade, which Payara's listener may cut short.
            HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2));
            org.civitas.operations.tls.MutualTls.configured().ifPresent(builder::sslContext);
            client = builder.build();
            http = client;
        }
        return client;
    }

    @Inject
    @ConfigProperty(name = "civitas.role", defaultValue = "standalone")
    String role;

    @Inject
    @ConfigProperty(name = "civitas.coordinator.url", defaultValue = "http://127.0.0.1:8080/civitas/api")
    String coordinatorUrl;

    @Override
    public HealthCheckResponse call() {
        if ("coordinator".equals(role)) {
            return HealthCheckResponse.named("civitas-coordinator").up().withData("role", role).build();
        }
        String problems = "";
        for (String address : coordinatorUrl.split(",")) {
            String base = address.strip();
            if (base.isEmpty()) {
                continue;
            }
            String url = (base.endsWith("/") ? base : base + "/") + "participant/tasks";
            try {
                int status = http().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).GET().build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                return HealthCheckResponse.named("civitas-coordinator").up().withData("url", base).withData("status", status).build();
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                problems += (problems.isEmpty() ? "" : "; ") + base + ": " + e.getClass().getSimpleName() + ": " + e.getMessage();
            }
        }
        return HealthCheckResponse.named("civitas-coordinator").down().withData("url", coordinatorUrl).withData("error", problems).build();
    }
}
