package io.suite.backup.dumps;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.annotations.RegisterForReflection;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every record that manifest.json is read into is registered for reflection (a native image would otherwise
 * read it without constructors): the records reachable from Manifest, through lists and maps too.
 */
class ManifestReflectionTest {

    @Test
    void everyRecordOfTheManifestIsRegistered() {
        Set<String> reachable = new TreeSet<>();
        collect(Manifest.class, reachable);
        Set<String> registered = new TreeSet<>();
        for (Class<?> c : ManifestReflection.class
                .getAnnotation(RegisterForReflection.class)
                .targets()) {
            registered.add(c.getName());
        }
        assertEquals(reachable, registered);
    }

    private static void collect(Type type, Set<String> records) {
        if (type instanceof ParameterizedType p) {
            for (Type argument : p.getActualTypeArguments()) {
                collect(argument, records);
            }
        } else if (type instanceof Class<?> c && c.isRecord() && records.add(c.getName())) {
            for (RecordComponent component : c.getRecordComponents()) {
                collect(component.getGenericType(), records);
            }
        }
    }
}
