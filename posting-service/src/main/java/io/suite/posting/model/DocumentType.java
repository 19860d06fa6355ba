package io.suite.posting.model;

import java.util.Arrays;
import java.util.List;

/** RECEIPT (+Stock), SHIPMENT (-Stock, +Sales), TRANSFER (-Stock at warehouse, +Stock at toWarehouse). */
public enum DocumentType {
    RECEIPT,
    SHIPMENT,
    TRANSFER;

    public static List<String> names() {
        return Arrays.stream(values()).map(Enum::name).toList();
    }
}
