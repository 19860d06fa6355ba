package io.suite.posting;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WritesTest {

    @Test
    void aPartsParametersAreNumberedAfterThoseOfThePartsBeforeIt() {
        assertEquals(
                "INSERT INTO t VALUES (?1, cast(?2 as numeric))",
                Writes.renumber("INSERT INTO t VALUES (?1, cast(?2 as numeric))", 0));
        assertEquals(
                "INSERT INTO t VALUES (?8, cast(?9 as numeric)),(?10,?11)",
                Writes.renumber("INSERT INTO t VALUES (?1, cast(?2 as numeric)),(?3,?4)", 7));
    }
}
