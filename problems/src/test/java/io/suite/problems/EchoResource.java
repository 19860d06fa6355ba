package io.suite.problems;

import java.math.BigDecimal;
import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;

/** A call shaped like the suite's: a record body with text, numbers, a list of objects. */
@Path("/test/echo")
public class EchoResource {
    public record Line(String item, BigDecimal quantity) {}

    public record Body(String type, Boolean post, Integer count, List<Line> lines) {}

    @POST
    public Body echo(Body body) {
        return body;
    }

    @GET
    @Path("/count")
    public String count(@QueryParam("limit") int limit) {
        return String.valueOf(limit);
    }

    @GET
    public String get(@QueryParam("item") String item, @QueryParam("from") String from) {
        return item + " " + Dates.require("from", from);
    }
}
