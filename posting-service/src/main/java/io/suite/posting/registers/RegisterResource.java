package io.suite.posting.registers;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.suite.access.Roles;
import io.suite.posting.Db;
import io.suite.problems.Dates;
import io.suite.writeguard.WriteGuard;

/**
 * Register reads and the invariant check (from the SQL views), {@code reader}; the Sales totals collapse, a
 * maintenance task that also runs on a schedule, {@code operator}.
 */
@Path("/v1")
public class RegisterResource {

    private final WriteGuard guard;

    RegisterResource(WriteGuard guard) {
        this.guard = guard;
    }

    public record Balance(String item, String warehouse, BigDecimal quantity) {}

    public record Turnover(String item, String warehouse, LocalDate day, BigDecimal quantity, BigDecimal amount) {}

    public record Mismatch(
            String register,
            String resource,
            String item,
            String warehouse,
            LocalDate day,
            BigDecimal balance,
            BigDecimal movementsSum) {}

    public record Negative(String register, String item, String warehouse, BigDecimal quantity) {}

    public record Check(boolean consistent, List<Negative> negativeBalances, List<Mismatch> mismatches) {}

    @GET
    @Path("/balances")
    @Operation(summary = "Stock balances")
    @APIResponse(
            responseCode = "200",
            description = "The balances",
            content =
                    @Content(
                            mediaType = "application/json",
                            schema = @Schema(implementation = RegisterApi.Balances.class)))
    @RolesAllowed(Roles.READER)
    public Uni<Map<String, List<Balance>>> balances(
            @QueryParam("item") String item, @QueryParam("warehouse") String warehouse) {
        return Panache.withSession(() -> Panache.getSession().chain(s -> StockRegister.list(s, item, warehouse)))
                .map(rows -> Map.of(
                        "balances",
                        rows.stream()
                                .map(r -> new Balance((String) r[0], (String) r[1], (BigDecimal) r[2]))
                                .toList()));
    }

    @GET
    @Path("/sales")
    @Operation(summary = "Sales turnovers by day")
    @APIResponse(
            responseCode = "200",
            description = "The turnovers",
            content =
                    @Content(
                            mediaType = "application/json",
                            schema = @Schema(implementation = RegisterApi.Turnovers.class)))
    @RolesAllowed(Roles.READER)
    public Uni<Map<String, List<Turnover>>> sales(
            @QueryParam("item") String item,
            @QueryParam("warehouse") String warehouse,
            @QueryParam("from") String from,
            @QueryParam("to") String to) {
        LocalDate f = date("from", from);
        LocalDate t = date("to", to);
        return Panache.withSession(() -> Panache.getSession().chain(s -> SalesRegister.list(s, item, warehouse, f, t)))
                .map(rows -> Map.of(
                        "turnovers",
                        rows.stream()
                                .map(r -> new Turnover(
                                        (String) r[0], (String) r[1], (LocalDate) r[2], (BigDecimal) r[3], (BigDecimal)
                                                r[4]))
                                .toList()));
    }

    /** Reads the views register_negative_balances and register_balance_mismatches (see README). */
    @GET
    @Path("/registers/check")
    @Operation(summary = "Whether every balance equals the sum of its movements")
    @RolesAllowed(Roles.READER)
    public Uni<Check> check() {
        return Panache.withSession(() -> Panache.getSession()
                .chain(s -> Db.rows(
                                s,
                                "SELECT register, item, warehouse, quantity FROM register_negative_balances ORDER BY item, warehouse LIMIT 1000",
                                List.of())
                        .chain(neg -> Db.rows(
                                        s,
                                        "SELECT register, resource, item, warehouse, day, balance, movements_sum"
                                                + " FROM register_balance_mismatches ORDER BY register, item, warehouse LIMIT 1000",
                                        List.of())
                                .map(mis -> {
                                    List<Negative> n = neg.stream()
                                            .map(r -> new Negative(
                                                    (String) r[0], (String) r[1], (String) r[2], (BigDecimal) r[3]))
                                            .toList();
                                    List<Mismatch> m = mis.stream()
                                            .map(r -> new Mismatch(
                                                    (String) r[0],
                                                    (String) r[1],
                                                    (String) r[2],
                                                    (String) r[3],
                                                    (LocalDate) r[4],
                                                    (BigDecimal) r[5],
                                                    (BigDecimal) r[6]))
                                            .toList();
                                    return new Check(n.isEmpty() && m.isEmpty(), n, m);
                                }))));
    }

    /** Folds the Sales split rows into one per (item, warehouse, day). Also runs on a schedule. */
    @POST
    @Path("/registers/sales/collapse")
    @Operation(summary = "Fold the Sales split rows into one per item, warehouse and day")
    @APIResponse(
            responseCode = "200",
            description = "How many rows were folded",
            content =
                    @Content(
                            mediaType = "application/json",
                            schema = @Schema(implementation = RegisterApi.Collapsed.class)))
    @RolesAllowed(Roles.OPERATOR)
    public Uni<Map<String, Object>> collapse() {
        return guard.write(
                        () -> Panache.withTransaction(() -> Panache.getSession().chain(SalesRegister::collapse)))
                .map(n -> {
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("collapsedRows", n);
                    return out;
                });
    }

    private static LocalDate date(String name, String value) {
        return Dates.require(name, value);
    }
}
