package io.suite.locks.monitor;

import java.net.URL;
import java.net.URLEncoder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.eclipse.microprofile.config.ConfigProvider;
import org.hamcrest.Matcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.suite.testing.DefaultBearer;
import io.suite.testing.Tokens;
import io.suite.testing.Unique;

import static io.restassured.RestAssured.given;
import static io.restassured.http.ContentType.JSON;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.openqa.selenium.support.ui.ExpectedConditions.attributeToBe;
import static org.openqa.selenium.support.ui.ExpectedConditions.numberOfElementsToBe;
import static org.openqa.selenium.support.ui.ExpectedConditions.presenceOfElementLocated;
import static org.openqa.selenium.support.ui.ExpectedConditions.textToBe;

/**
 * The monitor page in a real browser against the real lock API on the real Redis and the real
 * Keycloak: a person logs in through the Keycloak form, then what the REST calls do must show up
 * on the open page without a reload, and go away when the transactions end.
 */
@QuarkusTest
class LockMonitorTest {

    @TestHTTPResource("/")
    URL root;

    // the page is filtered to this space, so other tests' locks on the shared Redis stay out of view
    private final String space = Unique.name("Monitor.Stock");
    private final List<Tx> opened = new ArrayList<>();

    record Tx(String id, String token, String owner, String label) {}

    @Test
    void showsLocksWaitsAndDeadlocksLiveAndForgetsThemWhenTransactionsEnd() throws Exception {
        try (HeadlessChromium chromium = new HeadlessChromium()) {
            WebDriver page = chromium.driver;
            WebDriverWait wait = new WebDriverWait(page, Duration.ofSeconds(30));
            logIn(page, wait, "reader");
            page.get(root + "?space=" + URLEncoder.encode(space, UTF_8));
            wait.until(attributeToBe(By.id("connection"), "data-state", "live"));

            // a holder, and a waiter blocked by it
            Tx holder = begin("holder", "Shipment S-1");
            lock(holder, "A", 0).statusCode(200);
            Tx waiter = begin("waiter", "Receipt R-2");
            CompletableFuture<Integer> waiterAnswer = lockAsync(waiter, "A");

            awaitText(
                    wait,
                    row("locks", holder),
                    allOf(
                            containsString(space),
                            containsString("EXCLUSIVE"),
                            containsString("warehouse = W1"),
                            containsString("item = A"),
                            containsString(Tokens.DEFAULT_USER), // the principal, from the token
                            containsString(holder.owner()),
                            containsString(holder.label())));
            awaitText(
                    wait, row("waits", waiter), allOf(containsString(waiter.owner()), containsString(holder.owner())));
            wait.until(presenceOfElementLocated(edge("wait", waiter, holder)));

            // a deadlock: `first` waits for `second`, then `second` closes the cycle and is the victim
            Tx first = begin("first", "Transfer T-3");
            Tx second = begin("second", "Shipment S-4");
            lock(first, "X", 0).statusCode(200);
            lock(second, "Y", 0).statusCode(200);
            CompletableFuture<Integer> firstAnswer = lockAsync(first, "Y");
            await().atMost(Duration.ofSeconds(30)).until(() -> waitingIn(space).contains(first.id()));
            lock(second, "X", 60_000).statusCode(409).body("cycle", hasItems(first.id(), second.id()));
            assertEquals(200, firstAnswer.get(30, TimeUnit.SECONDS), "the survivor gets its lock");

            awaitText(
                    wait,
                    incident("deadlock", second),
                    allOf(containsString(second.owner()), containsString(first.owner())));
            wait.until(presenceOfElementLocated(
                    By.cssSelector("#graph g.node.victim[data-transaction='" + second.id() + "']")));
            wait.until(presenceOfElementLocated(edge("deadlock", second, first)));

            // a timeout: gives up on what the holder has
            Tx impatient = begin("impatient", "Shipment S-5");
            lock(impatient, "A", 300).statusCode(423);
            awaitText(wait, incident("timeout", impatient), containsString(holder.owner()));

            // totals for the space: only the waiter still waits
            wait.until(textToBe(By.cssSelector("#totals li[data-space='" + space + "'] dd.waiting"), "1"));
            chromium.screenshot(Path.of("target", "monitor.png"));

            // the owner filter narrows the tables without a reload
            page.findElement(By.id("filter-owner")).sendKeys(holder.owner());
            wait.until(numberOfElementsToBe(row("locks", first), 0));
            wait.until(presenceOfElementLocated(row("locks", holder)));
            wait.until(presenceOfElementLocated(row("waits", waiter))); // it waits for the holder
            page.findElement(By.id("filter-owner")).clear();
            wait.until(presenceOfElementLocated(row("locks", first)));

            // the transactions end: their rows, the wait edge and the deadlock highlight go away
            end(holder);
            assertEquals(200, waiterAnswer.get(30, TimeUnit.SECONDS), "the waiter gets the lock once the holder ends");
            end(waiter);
            end(first);
            end(impatient);
            for (Tx tx : List.of(holder, waiter, first, second, impatient)) {
                wait.until(numberOfElementsToBe(row("locks", tx), 0));
                wait.until(numberOfElementsToBe(row("waits", tx), 0));
            }
            wait.until(numberOfElementsToBe(edge("wait", waiter, holder), 0));
            wait.until(numberOfElementsToBe(By.cssSelector("#graph g.node"), 0));
            wait.until(presenceOfElementLocated(By.cssSelector("#graph .graph-empty")));
            // ... while the history keeps what happened
            wait.until(presenceOfElementLocated(incident("deadlock", second)));
            // ... and so does the incidents log, for a chosen time range (default: the last hour until now)
            page.findElement(By.id("range-show")).click();
            wait.until(presenceOfElementLocated(
                    By.cssSelector("#range-history li.incident.deadlock[data-transaction='" + second.id() + "']")));
            wait.until(presenceOfElementLocated(
                    By.cssSelector("#range-history li.incident.wait[data-transaction='" + waiter.id() + "']")));

            // an escalation: one row more than the threshold becomes a lock on the whole space
            Tx bulk = begin("bulk", "Price list import");
            int threshold = ConfigProvider.getConfig().getValue("lock.escalation-threshold", Integer.class);
            List<Map<String, Object>> rows = IntStream.rangeClosed(0, threshold)
                    .mapToObj(n -> Map.<String, Object>of("warehouse", "W9", "item", "I" + n))
                    .toList();
            given().contentType(JSON)
                    .header("X-Lock-Token", bulk.token())
                    .body(Map.of(
                            "timeoutMs", 0, "items", List.of(Map.of("space", space, "mode", "SHARED", "rows", rows))))
                    .post("/v1/lock-transactions/{id}/locks", bulk.id())
                    .then()
                    .statusCode(200)
                    .body("escalated[0].space", equalTo(space))
                    .body("escalated[0].fields", equalTo(Map.of("warehouse", "W9")));
            awaitText(
                    wait,
                    By.cssSelector("#locks tbody tr.escalated[data-transaction='" + bulk.id() + "']"),
                    containsString("warehouse = W9")); // the narrow cover: the other warehouses stay free
            wait.until(presenceOfElementLocated(
                    By.cssSelector("#graph g.node.escalated[data-transaction='" + bulk.id() + "']")));
            wait.until(presenceOfElementLocated(incident("escalation", bulk)));
            end(bulk);
            wait.until(numberOfElementsToBe(row("locks", bulk), 0));
            wait.until(numberOfElementsToBe(By.cssSelector("#graph g.node"), 0));
        }
    }

    /** A visitor without a session is sent to the Keycloak login form; after it, back to the page. */
    private void logIn(WebDriver page, WebDriverWait wait, String user) {
        page.get(root.toString());
        wait.until(presenceOfElementLocated(By.id("kc-login")));
        assertThat(page.getCurrentUrl(), startsWith(Tokens.ISSUER + "/protocol/openid-connect/auth"));
        page.findElement(By.id("username")).sendKeys(user);
        page.findElement(By.id("password")).sendKeys(user);
        page.findElement(By.id("kc-login")).click();
        wait.until(driver -> driver.getCurrentUrl().startsWith(root.toString()));
        wait.until(presenceOfElementLocated(By.id("connection")));
    }

    @Test
    void anUnknownVisitorIsSentToTheLoginFormAndTheApiStillAnswers401() {
        given().header(DefaultBearer.ANONYMOUS)
                .redirects()
                .follow(false)
                .get("/")
                .then()
                .statusCode(302)
                .header("Location", startsWith(Tokens.ISSUER + "/protocol/openid-connect/auth"))
                .header("Location", containsString("client_id=lock-monitor"));
        // the API never redirects: no token is a 401, also with a (here: made-up) monitor session cookie
        // on a write, which the monitor tenant never handles
        given().header(DefaultBearer.ANONYMOUS)
                .redirects()
                .follow(false)
                .get("/v1/locks")
                .then()
                .statusCode(401);
        given().header(DefaultBearer.ANONYMOUS)
                .cookie("q_session_monitor", "made-up")
                .contentType(JSON)
                .body("{}")
                .redirects()
                .follow(false)
                .post("/v1/lock-transactions")
                .then()
                .statusCode(401);
    }

    @Test
    void servesThePageAndItsModules() {
        given().get("/")
                .then()
                .statusCode(200)
                .contentType(containsString("text/html"))
                .body(containsString("<script type=\"module\" src=\"monitor.js\">"));
        for (String module : List.of("monitor.js", "graph.js", "format.js")) {
            given().get("/" + module).then().statusCode(200).contentType(containsString("javascript"));
        }
        given().get("/monitor.css").then().statusCode(200).contentType(containsString("text/css"));
    }

    @AfterEach
    void endWhatIsLeft() {
        for (Tx tx : opened) {
            given().header("X-Lock-Token", tx.token()).delete("/v1/lock-transactions/{id}", tx.id());
        }
    }

    // ---- the REST API ----

    private Tx begin(String ownerPrefix, String label) {
        String owner = Unique.name(ownerPrefix);
        var created = given().contentType(JSON)
                .body(Map.of("owner", owner, "label", label, "leaseMs", 120_000))
                .post("/v1/lock-transactions")
                .then()
                .statusCode(201)
                .extract();
        Tx tx = new Tx(created.path("id"), created.path("token"), owner, label);
        opened.add(tx);
        return tx;
    }

    private ValidatableResponse lock(Tx tx, String item, long timeoutMs) {
        return given().contentType(JSON)
                .header("X-Lock-Token", tx.token())
                .body(Map.of(
                        "timeoutMs",
                        timeoutMs,
                        "items",
                        List.of(Map.of(
                                "space",
                                space,
                                "mode",
                                "EXCLUSIVE",
                                "fields",
                                Map.of("warehouse", "W1", "item", item)))))
                .post("/v1/lock-transactions/{id}/locks", tx.id())
                .then();
    }

    private CompletableFuture<Integer> lockAsync(Tx tx, String item) {
        return CompletableFuture.supplyAsync(
                () -> lock(tx, item, 60_000).extract().statusCode());
    }

    private void end(Tx tx) {
        given().header("X-Lock-Token", tx.token())
                .delete("/v1/lock-transactions/{id}", tx.id())
                .then()
                .statusCode(204);
    }

    private List<String> waitingIn(String space) {
        return given().queryParam("space", space)
                .get("/v1/locks")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("waits.transaction", String.class);
    }

    // ---- the page ----

    private static By row(String table, Tx tx) {
        return By.cssSelector("#" + table + " tbody tr[data-transaction='" + tx.id() + "']");
    }

    private static By edge(String kind, Tx from, Tx to) {
        return By.cssSelector("#graph g.edge." + kind + "[data-from='" + from.id() + "'][data-to='" + to.id() + "']");
    }

    private static By incident(String kind, Tx tx) {
        return By.cssSelector("#history li.incident." + kind + "[data-transaction='" + tx.id() + "']");
    }

    /**
     * Waits until the element's text matches: the page redraws rows live (re-find on every poll),
     * and names a transaction only once a snapshot has told it the owner.
     */
    private static void awaitText(WebDriverWait wait, By locator, Matcher<String> expected) {
        String[] last = {""};
        try {
            wait.ignoring(StaleElementReferenceException.class).until(driver -> {
                last[0] = driver.findElement(locator).getText();
                return expected.matches(last[0]);
            });
        } catch (TimeoutException e) {
            assertThat(last[0], expected); // says what was shown instead
            throw e;
        }
    }
}
