package io.suite.posting.model;

import java.math.BigDecimal;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;

@Embeddable
public class DocumentLine {
    public String item;
    public String warehouse;

    @Column(name = "to_warehouse")
    public String toWarehouse;

    public BigDecimal quantity;
    public BigDecimal amount;
}
