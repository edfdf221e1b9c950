package io.carbonnexus.engine.http;

import io.vertx.openapi.contract.Operation;

import java.util.Locale;

/**
 * Who may call an operation, as the contract says it ({@code x-nexus-access} on every operation):
 * an operation that does not say is a start-up error, so a new endpoint cannot be forgotten.
 *
 * <ul>
 *   <li>{@link #OPEN}: anyone (health's minimal answer, the contract itself).</li>
 *   <li>{@link #READ}: business data. Needs a valid JWT (or the operator token) once JWT
 *   authentication is configured; open otherwise.</li>
 *   <li>{@link #WRITE}: changes state. Needs a JWT whose {@code role} is a write role, or the
 *   operator token; with JWT authentication off, the operator token when one is set.</li>
 * </ul>
 */
enum Access {
  OPEN, READ, WRITE;

  static final String EXTENSION = "x-nexus-access";

  static Access of(Operation operation) {
    Object value = operation.getExtensions().get(EXTENSION);
    if (value == null) {
      throw new IllegalStateException("operation " + operation.getOperationId() + " of " + HttpVerticle.CONTRACT
        + " says nothing about who may call it: add " + EXTENSION + ": open, read or write");
    }
    try {
      return valueOf(value.toString().trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("operation " + operation.getOperationId() + ": " + EXTENSION + " is '" + value
        + "', not open, read or write");
    }
  }
}
