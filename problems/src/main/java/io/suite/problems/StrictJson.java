package io.suite.problems;

import java.io.IOException;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;

import io.quarkus.jackson.ObjectMapperCustomizer;

/**
 * The JSON reader of every service: every string field obeys {@link Text#characters} (no NUL, no
 * control character but tab and line breaks, no lone surrogate), and an integer field takes no
 * decimals ({@code 1.5} is not silently 1), and nothing may follow the body's JSON value. A violation is an {@link InvalidFormatException} with the
 * field's path, answered by {@link JsonBodyMappers}.
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {
    @Override
    public void customize(ObjectMapper mapper) {
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.registerModule(new SimpleModule("suite-text").addDeserializer(String.class, new CheckedStrings()));
    }

    static final class CheckedStrings extends StringDeserializer {
        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String value = super.deserialize(p, ctxt);
            String wrong = Text.characters(value);
            if (wrong != null) {
                throw InvalidFormatException.from(p, wrong, value, String.class);
            }
            return value;
        }
    }
}
