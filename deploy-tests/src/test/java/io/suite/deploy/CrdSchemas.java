package io.suite.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/**
 * The operators' own CRD schemas, vendored at pinned releases under src/test/resources/crds/ (see the README
 * there), as JSON schemas that are stricter than the API server: every object schema that lists its
 * properties rejects any other (additionalProperties false), where the API server would only prune the
 * unknown field silently (or refuse it with kubectl's strict field validation). Schemas that keep unknown
 * fields on purpose (x-kubernetes-preserve-unknown-fields, e.g. Strimzi's broker config) stay open.
 * What JSON schema cannot say is not checked here: CEL rules (x-kubernetes-validations) and formats.
 */
final class CrdSchemas {
    private static final Path CRDS = Repo.path("deploy-tests/src/test/resources/crds");
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4);

    /** "group/version Kind" → its strict schema. */
    private final Map<String, JsonSchema> schemas = new HashMap<>();

    private CrdSchemas() {}

    static CrdSchemas vendored() {
        CrdSchemas crds = new CrdSchemas();
        try (Stream<Path> files = Files.walk(CRDS)) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                for (ObjectNode crd : Repo.yamlDocuments(Files.readString(file))) {
                    crds.add(crd);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return crds;
    }

    private void add(ObjectNode crd) {
        if (!crd.path("kind").asText().equals("CustomResourceDefinition")) {
            return;
        }
        JsonNode spec = crd.path("spec");
        for (JsonNode version : spec.path("versions")) {
            if (version.path("served").asBoolean()) {
                JsonNode schema = version.path("schema").path("openAPIV3Schema").deepCopy();
                String key =
                        spec.path("group").asText() + "/" + version.path("name").asText() + " "
                                + spec.path("names").path("kind").asText();
                schemas.put(key, FACTORY.getSchema(strict(schema)));
            }
        }
    }

    /** Whether a vendored CRD serves this object's apiVersion and kind. */
    boolean knows(JsonNode object) {
        return schema(object).isPresent();
    }

    /** The API groups of the vendored CRDs: an object of one of them must match a served version. */
    boolean ownsGroupOf(JsonNode object) {
        String apiVersion = object.path("apiVersion").asText();
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        return schemas.keySet().stream().anyMatch(k -> k.startsWith(group + "/"));
    }

    /** What the schema finds wrong with the object, each as "path: message"; empty when it is valid. */
    List<String> validate(JsonNode object) {
        JsonSchema schema = schema(object)
                .orElseThrow(() -> new IllegalArgumentException(
                        "no vendored CRD serves " + object.path("apiVersion").asText() + " "
                                + object.path("kind").asText()));
        List<String> errors = new ArrayList<>();
        for (ValidationMessage m : schema.validate(object)) {
            errors.add(m.getMessage());
        }
        return errors;
    }

    private Optional<JsonSchema> schema(JsonNode object) {
        return Optional.ofNullable(schemas.get(
                object.path("apiVersion").asText() + " " + object.path("kind").asText()));
    }

    /**
     * An OpenAPI v3 schema of a CRD made into a strict JSON schema (draft 4, which OpenAPI v3's subset follows):
     * closed objects, nullable as a null type, embedded resources with their implicit apiVersion/kind/metadata,
     * and the Kubernetes extensions and formats left out (a JSON schema validator does not know them).
     */
    static JsonNode strict(JsonNode schema) {
        return strict(schema, true);
    }

    /** close: false inside allOf/anyOf/oneOf/not, whose properties only add checks to ones the schema lists outside. */
    private static JsonNode strict(JsonNode schema, boolean close) {
        if (schema instanceof ArrayNode array) {
            array.forEach(s -> strict(s, close));
            return schema;
        }
        if (!(schema instanceof ObjectNode node)) {
            return schema;
        }
        boolean preserveUnknown =
                node.path("x-kubernetes-preserve-unknown-fields").asBoolean();
        if (node.path("x-kubernetes-embedded-resource").asBoolean()
                && node.path("properties") instanceof ObjectNode props) {
            for (String implicit : List.of("apiVersion", "kind", "metadata")) {
                if (!props.has(implicit)) {
                    props.set(
                            implicit,
                            JsonNodeFactory.instance
                                    .objectNode()
                                    .put("type", implicit.equals("metadata") ? "object" : "string"));
                }
            }
        }
        if (node.path("nullable").asBoolean() && node.path("type").isTextual()) {
            node.set(
                    "type",
                    JsonNodeFactory.instance
                            .arrayNode()
                            .add(node.path("type").asText())
                            .add("null"));
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (key.startsWith("x-kubernetes-")
                    || key.equals("nullable")
                    || key.equals("format")
                    || key.equals("description")
                    || key.equals("example")) {
                it.remove();
            }
        }
        if (node.path("properties") instanceof ObjectNode props) {
            props.forEach(p -> strict(p, close));
            if (close && !node.has("additionalProperties") && !preserveUnknown) {
                node.put("additionalProperties", false);
            }
        }
        for (String nested : List.of("items", "additionalProperties")) {
            if (node.has(nested)) {
                strict(node.get(nested), close);
            }
        }
        for (String junctor : List.of("allOf", "anyOf", "oneOf", "not")) {
            if (node.has(junctor)) {
                strict(node.get(junctor), false);
            }
        }
        return node;
    }
}
