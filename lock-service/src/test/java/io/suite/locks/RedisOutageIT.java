package io.suite.locks;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.RestAssured;
import io.restassured.config.HttpClientConfig;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.suite.testing.ServiceProcess;
import io.suite.testing.Tokens;
import io.suite.testing.Unique;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

/**
 * Issue 16: Redis paused (SIGSTOP) or gone (SIGKILL). Every lock call answers 503
 * {@code lock-service-unavailable} with {@code Retry-After} (never a 500, never no answer), and the
 * service serves again once Redis is back. Runs its own redis-server on a free port.
 */
class RedisOutageIT {
    private static Path dir;
    private static int port;
    private static Process redis;
    private static MaintenanceStateFeed feed;
    private static ServiceProcess service;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("lock-redis-outage");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        startRedis();
        String run = Unique.name("outage");
        feed = new MaintenanceStateFeed("lock-mstate-" + run);
        service = ServiceProcess.start(
                "lock-service",
                Map.of(
                        "quarkus.redis.hosts", "redis://127.0.0.1:" + port,
                        "lock.key-prefix", "locktest-" + run + ":",
                        "write-guard.state-topic", "lock-mstate-" + run,
                        "write-guard.status-topic", "lock-wps-" + run));
    }

    private static void startRedis() throws IOException {
        redis = new ProcessBuilder(
                        "redis-server",
                        "--port",
                        String.valueOf(port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--dir",
                        dir.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile())
                .start();
        await().until(() -> {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        if (feed != null) {
            feed.close();
        }
        if (redis != null) {
            signal("CONT");
            redis.destroyForcibly().waitFor();
        }
    }

    private static void signal(String name) throws Exception {
        new ProcessBuilder("kill", "-" + name, String.valueOf(redis.pid()))
                .inheritIO()
                .start()
                .waitFor();
    }

    /** Requests that give up after a minute rather than hang the build (a hung answer is the bug). */
    private static RequestSpecification call() {
        return given().baseUri(service.url())
                .contentType("application/json")
                .header("Authorization", Tokens.bearer())
                .config(RestAssured.config()
                        .httpClient(HttpClientConfig.httpClientConfig()
                                .setParam("http.socket.timeout", 60000)
                                .setParam("http.connection.timeout", 60000)));
    }

    private static Response begin() {
        return call().body("{\"owner\":\"outage\"}").post("/v1/lock-transactions");
    }

    /** Every kind of lock call at once (each waits out Redis' timeout while it is paused: in turn they add up). */
    private static void allUnavailable(String id, String token, String space) throws Exception {
        List<Callable<Response>> calls = List.of(
                RedisOutageIT::begin,
                () -> call().body("{\"items\":[" + Api.item(space, "SHARED", "{}") + "]}")
                        .post("/v1/lock-transactions"),
                () -> call().header("X-Lock-Token", token)
                        .body("{\"timeoutMs\":0,\"items\":[" + Api.item(space, "SHARED", "{}") + "]}")
                        .post("/v1/lock-transactions/" + id + "/locks"),
                () -> call().header("X-Lock-Token", token).post("/v1/lock-transactions/" + id + "/renew"),
                () -> call().header("X-Lock-Token", token).get("/v1/lock-transactions/" + id),
                () -> call().header("X-Lock-Token", token).delete("/v1/lock-transactions/" + id),
                () -> call().get("/v1/locks"));
        ExecutorService pool = Executors.newFixedThreadPool(calls.size());
        try {
            for (Future<Response> answer : pool.invokeAll(calls)) {
                answer.get()
                        .then()
                        .statusCode(503)
                        .contentType(containsString("application/problem+json"))
                        .body("type", equalTo("https://suite.dev/problems/lock-service-unavailable"))
                        .header("Retry-After", notNullValue());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void lockCallsAnswer503WhileRedisIsPausedOrGone() throws Exception {
        String space = Unique.name("Outage");
        Response begun = begin();
        begun.then().statusCode(201);
        String id = begun.path("id");
        String token = begun.path("token");

        signal("STOP");
        try {
            allUnavailable(id, token, space);
        } finally {
            signal("CONT");
        }
        await().until(() -> begin().statusCode() == 201);
        // Redis ran the calls it had queued first: the begin with items that reached it after its
        // replica had answered 503 did nothing (nobody would know its transaction)
        call().get("/v1/locks?space=" + space).then().statusCode(200).body("locks.size()", equalTo(0));

        signal("KILL");
        redis.waitFor();
        allUnavailable(id, token, space);

        startRedis(); // empty: the transaction is gone with the data, the service serves again
        await().until(() -> begin().statusCode() == 201);
        call().header("X-Lock-Token", token)
                .get("/v1/lock-transactions/" + id)
                .then()
                .statusCode(404);
    }
}
