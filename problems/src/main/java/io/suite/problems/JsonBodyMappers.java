package io.suite.problems;

import java.util.Collection;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import io.quarkiverse.resteasy.problem.HttpProblem;

/**
 * A request body that is not JSON, or JSON of the wrong shape ({@code [1,2]} for an object,
 * {@code {"lines":"x"}}, {@code {"post":{}}}, a NUL in a string): a 400 {@code .../validation} naming
 * the bad field ({@code body} for the whole body). Quarkus REST's own mapper for a mismatched input is
 * more specific than quarkus-resteasy-problem's and answers 400 with no body at all: the mapper here
 * ranks before it. The other JSON errors reach quarkus-resteasy-problem's mappers (some wrapped in a
 * WebApplicationException), and {@link SuiteTypes} gives their answer the same shape.
 */
public class JsonBodyMappers {
    static final String TITLE = "Request body is not what this call takes";

    @ServerExceptionMapper(priority = Priorities.USER - 100)
    public Response mismatched(MismatchedInputException e) {
        return answer(e);
    }

    static Response answer(JsonProcessingException e) {
        return problem(e).toResponse();
    }

    static HttpProblem problem(JsonProcessingException e) {
        return new Violations().add(field(e), message(e)).problem(TITLE);
    }

    /** The JSON error behind a failure (Quarkus wraps some in a 400 WebApplicationException), or null. */
    static JsonProcessingException jsonCause(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof JsonProcessingException j) {
                return j;
            }
        }
        return null;
    }

    /** {@code lines[0].item}; {@code body} when the body itself is wrong. */
    static String field(JsonProcessingException e) {
        if (!(e instanceof JsonMappingException m) || m.getPath().isEmpty()) {
            return "body";
        }
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference r : m.getPath()) {
            if (r.getFieldName() != null) {
                out.append(out.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                out.append('[').append(r.getIndex()).append(']');
            }
        }
        return out.length() == 0 ? "body" : out.toString();
    }

    static String message(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException) {
            return "is not a property of this request";
        }
        if (e instanceof InvalidFormatException f && f.getTargetType() == String.class) {
            return f.getOriginalMessage(); // the text rule's own words (see StrictJson)
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            return "must be " + expected(m.getTargetType());
        }
        if (e instanceof JsonMappingException) {
            return "is not valid here: " + e.getOriginalMessage();
        }
        return "is not well-formed JSON: " + e.getOriginalMessage();
    }

    private static String expected(Class<?> type) {
        if (type == String.class || type.isEnum()) {
            return "a JSON string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == Long.class
                || type == Integer.class
                || type == long.class
                || type == int.class
                || type == Short.class
                || type == short.class) {
            return "an integer within range";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
            return "a JSON number within range";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray() || type == List.class) {
            return "a JSON array";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord() || type == Object.class) {
            return "a JSON object";
        }
        return "a JSON value of type " + type.getSimpleName();
    }
}
