package io.suite.posting.model;

import java.math.BigDecimal;

/** What a document needs from a Stock row ({@code requested}) and what the row has ({@code available}). */
public record Shortage(String item, String warehouse, BigDecimal requested, BigDecimal available) {}
