package io.suite.testing.openapi;

import java.net.URI;
import java.util.List;

import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;

/**
 * Checks every answer a test gets through RestAssured against the answering service's own OpenAPI
 * document ({@link OpenApiContract}) and fails the test on the first that breaks it. Installed for every
 * {@code @QuarkusTest} by {@link InstallOpenApiContract}.
 */
public final class OpenApiContractFilter implements Filter {
    @Override
    public Response filter(
            FilterableRequestSpecification request, FilterableResponseSpecification spec, FilterContext ctx) {
        Response response = ctx.next(request, spec);
        URI uri = URI.create(request.getURI());
        OpenApiContract.of(uri).ifPresent(contract -> {
            String body = response.getBody() == null ? null : response.getBody().asString();
            List<String> bad = contract.check(
                    request.getMethod(), uri.getRawPath(), response.getStatusCode(), response.getContentType(), body);
            if (!bad.isEmpty()) {
                throw new AssertionError(
                        "The answer breaks the service's OpenAPI document:\n" + String.join("\n", bad));
            }
        });
        return response;
    }
}
