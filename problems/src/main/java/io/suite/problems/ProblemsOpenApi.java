package io.suite.problems;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.media.Schema.SchemaType;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;
import org.eclipse.microprofile.openapi.models.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

import io.quarkus.smallrye.openapi.OpenApiFilter;

/**
 * The part of every service's OpenAPI document (GET /q/openapi) that is the same everywhere (DESIGN.md
 * "Bad input", "Security"): the {@code Problem} schema, the problem answers every {@code /v1} operation
 * can give, the bearer scheme and a server. A resource declares only its own statuses (201, 409, 423 ...,
 * often without a body); every 4xx/5xx answer here then gets the problem+json body, as the services send it.
 */
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class ProblemsOpenApi implements OASFilter {
    static final String PROBLEM = "application/problem+json";
    static final String BEARER = "bearer";
    private static final String PROBLEM_REF = "#/components/schemas/Problem";

    /** What each added status means, for every operation it applies to. */
    private static final Map<String, String> GENERIC = Map.of(
            "400", "Bad input: a .../validation problem names each bad field in violations (DESIGN.md \"Bad input\")",
            "401", "No or a bad bearer token (.../unauthorized; DESIGN.md \"Security\", enforced from #17 on)",
            "403", "The token lacks the role, or a wrong X-Lock-Token (.../forbidden)",
            "404", "Nothing under this id (.../not-found or a service's own type)",
            "413", "The body is over quarkus.http.limits.max-body-size (.../payload-too-large)",
            "414", "The request line is over suite.input.max-request-line-length (.../uri-too-long)",
            "415", "The body is not application/json (.../unsupported-media-type)",
            "431", "The headers are over suite.input.max-header-size (.../headers-too-large)",
            "503",
                    "Cannot be done now, nothing was done: read-only (a write, .../read-only with refusal),"
                            + " the database or a service it needs is unavailable; see Retry-After");

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        Components components = openAPI.getComponents();
        if (components == null) {
            components = OASFactory.createComponents();
            openAPI.setComponents(components);
        }
        // quarkus-resteasy-problem's own problem schemas: Problem below is what the suite's answers are
        components.removeSchema("HttpProblem");
        components.removeSchema("HttpValidationProblem");
        components.addSchema("Violation", violation());
        components.addSchema("Problem", problem());
        components.addSecurityScheme(
                BEARER,
                OASFactory.createSecurityScheme()
                        .type(SecurityScheme.Type.HTTP)
                        .scheme("bearer")
                        .bearerFormat("JWT")
                        .description(
                                "An OpenID Connect access token of realm 'suite' (DESIGN.md \"Security\"; issue #17)."));
        if (openAPI.getServers() == null || openAPI.getServers().isEmpty()) {
            // relative: the host that serves this document, wherever it is deployed
            openAPI.addServer(OASFactory.createServer().url("/").description("this service"));
        }
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        openAPI.getPaths().getPathItems().forEach((path, item) -> {
            if (!path.startsWith("/v1")) {
                return;
            }
            item.getOperations().forEach((method, op) -> operation(path, method, op));
        });
    }

    private void operation(String path, PathItem.HttpMethod method, Operation op) {
        if (op.getSecurity() == null) {
            op.addSecurityRequirement(bearer());
        }
        APIResponses responses = op.getResponses();
        if (responses == null) {
            responses = OASFactory.createAPIResponses();
            op.setResponses(responses);
        }
        boolean body = op.getRequestBody() != null;
        add(responses, "400");
        add(responses, "401");
        add(responses, "403");
        if (path.contains("{")) {
            add(responses, "404");
        }
        add(responses, "414");
        add(responses, "431");
        if (body) {
            add(responses, "413");
            add(responses, "415");
        }
        add(responses, "503");
        responses.getAPIResponses().forEach((code, response) -> {
            if (code.startsWith("4") || code.startsWith("5")) {
                problemBody(response);
            }
        });
    }

    private static void add(APIResponses responses, String code) {
        if (!responses.hasAPIResponse(code)) {
            responses.addAPIResponse(code, OASFactory.createAPIResponse().description(GENERIC.get(code)));
        }
    }

    /** A 4xx/5xx answer's body is always the problem (a more specific schema given for it stays). */
    private static void problemBody(APIResponse response) {
        Content content = response.getContent();
        if (content == null) {
            content = OASFactory.createContent();
            response.setContent(content);
        }
        // an error answer is never application/json: a resource's @Produces leaks into annotated error codes
        if (content.hasMediaType(jakarta.ws.rs.core.MediaType.APPLICATION_JSON)) {
            MediaType json = content.getMediaType(jakarta.ws.rs.core.MediaType.APPLICATION_JSON);
            content.removeMediaType(jakarta.ws.rs.core.MediaType.APPLICATION_JSON);
            if (!content.hasMediaType(PROBLEM)
                    && json.getSchema() != null
                    && json.getSchema().getRef() != null) {
                content.addMediaType(PROBLEM, json);
            }
        }
        MediaType problem = content.getMediaType(PROBLEM);
        if (problem == null) {
            content.addMediaType(PROBLEM, OASFactory.createMediaType().schema(ref(PROBLEM_REF)));
        } else if (problem.getSchema() == null
                || problem.getSchema().getRef() == null
                || problem.getSchema().getRef().contains("/HttpProblem")
                || problem.getSchema().getRef().contains("/HttpValidationProblem")) {
            problem.setSchema(ref(PROBLEM_REF)); // quarkus-resteasy-problem's generic schemas, replaced by Problem
        }
        if (response.getDescription() == null || response.getDescription().isBlank()) {
            response.setDescription("A problem (RFC 9457)");
        }
    }

    /** The body of every 4xx/5xx (quarkus-resteasy-problem's shape plus the suite's extension fields). */
    private static Schema problem() {
        return object("An RFC 9457 problem: clients match on type; the extension fields come with the types named")
                .required(List.of("type", "title", "status"))
                .addProperty(
                        "type",
                        string("A suite type, " + ProblemTypes.BASE + "<name>").format("uri"))
                .addProperty("title", string("Short, the same for every problem of this type"))
                .addProperty(
                        "status",
                        OASFactory.createSchema()
                                .addType(SchemaType.INTEGER)
                                .format("int32")
                                .minimum(BigDecimal.valueOf(400))
                                .maximum(BigDecimal.valueOf(599)))
                .addProperty("detail", string("What happened to this request"))
                .addProperty("instance", string("The request path").format("uri-reference"))
                .addProperty(
                        "violations",
                        OASFactory.createSchema()
                                .addType(SchemaType.ARRAY)
                                .description(".../validation: each bad field")
                                .items(ref("#/components/schemas/Violation")))
                .addProperty(
                        "refusal",
                        string(".../read-only: why writes are refused"
                                + " (e.g. read-only, state-stale, unknown-state, drain-timeout, fenced)"))
                .addProperty("reason", nullable(SchemaType.STRING, ".../read-only: the operator's reason"))
                .addProperty(
                        "epoch", nullable(SchemaType.INTEGER, ".../read-only and maintenance conflicts: the epoch"))
                .addProperty("mode", string(".../not-read-only: the current mode"))
                .addProperty("heldBy", nullable(SchemaType.STRING, ".../backup-in-progress: who holds read-only"))
                .addProperty(
                        "blockedBy",
                        OASFactory.createSchema()
                                .addType(SchemaType.ARRAY)
                                .description(".../lock-timeout: the holders in the way")
                                .items(object("A lock in the way").additionalPropertiesBoolean(true)))
                .addProperty(
                        "cycle",
                        OASFactory.createSchema()
                                .addType(SchemaType.ARRAY)
                                .description(".../deadlock: the lock transactions of the wait cycle")
                                .items(OASFactory.createSchema().addType(SchemaType.STRING)))
                .addProperty(
                        "shortages",
                        OASFactory.createSchema()
                                .addType(SchemaType.ARRAY)
                                .description(".../insufficient-stock: each row that would go below zero")
                                .items(object("A shortage").additionalPropertiesBoolean(true)))
                .additionalPropertiesBoolean(true);
    }

    private static Schema violation() {
        return object("One bad field of a request")
                .required(List.of("field", "message"))
                .addProperty(
                        "field",
                        string("The field's path in the body (body for the whole body), or a parameter's name"))
                .addProperty("message", string("What is wrong with it"));
    }

    private static Schema object(String description) {
        return OASFactory.createSchema().addType(SchemaType.OBJECT).description(description);
    }

    private static Schema string(String description) {
        return OASFactory.createSchema().addType(SchemaType.STRING).description(description);
    }

    private static Schema nullable(SchemaType type, String description) {
        return OASFactory.createSchema().addType(type).addType(SchemaType.NULL).description(description);
    }

    private static Schema ref(String ref) {
        return OASFactory.createSchema().ref(ref);
    }

    private static SecurityRequirement bearer() {
        return OASFactory.createSecurityRequirement().addScheme(BEARER);
    }
}
