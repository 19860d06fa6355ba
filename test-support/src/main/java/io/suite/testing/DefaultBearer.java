package io.suite.testing;

import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;
import io.restassured.RestAssured;
import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.http.Header;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;

/**
 * Every RestAssured request of a {@code @QuarkusTest} carries {@link Tokens#DEFAULT_USER}'s bearer token unless it
 * names its own {@code Authorization} (installed before each test method, found by Quarkus through
 * META-INF/services). A test of refusals sends {@link #ANONYMOUS} to go without any token.
 */
public final class DefaultBearer implements Filter, QuarkusTestBeforeEachCallback {
    /** Marks a request that must go out with no {@code Authorization} at all (the filter removes it). */
    public static final Header ANONYMOUS = new Header("X-Test-Anonymous", "true");

    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        if (RestAssured.filters().stream().noneMatch(DefaultBearer.class::isInstance)) {
            RestAssured.filters(new DefaultBearer());
        }
    }

    @Override
    public Response filter(
            FilterableRequestSpecification request, FilterableResponseSpecification response, FilterContext ctx) {
        if (request.getHeaders().hasHeaderWithName(ANONYMOUS.getName())) {
            request.removeHeader(ANONYMOUS.getName());
        } else if (!request.getHeaders().hasHeaderWithName("Authorization")) {
            request.header("Authorization", Tokens.bearer());
        }
        return ctx.next(request, response);
    }
}
