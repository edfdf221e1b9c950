package io.carbonnexus.engine.http;

import io.vertx.core.MultiMap;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.InputTrustHandler;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.common.dsl.SchemaType;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Validates a request against its operation in the contract, with its parameters decoded exactly
 * once. vertx-openapi 5.0's own extraction URL-decodes query values a second time (so
 * {@code entity=100%25} failed as "100%") and reads a string parameter as JSON when it can
 * ({@code a\b} became "a" + backspace, {@code 1.5} a number). Here every value is taken as the
 * router decoded it, and a string is handed over as a JSON string literal, which the validator
 * reads back to the very same text.
 */
final class ContractRequests {

  private ContractRequests() {
  }

  /** The route handler that validates and stores the result where {@link RouterBuilder} would. */
  static InputTrustHandler validation(RequestValidator validator, Operation operation) {
    return ctx -> {
      ValidatableRequest request;
      try {
        request = extract(ctx, operation);
      } catch (RuntimeException e) {
        ctx.fail(new HttpException(400, "the request cannot be read: " + e.getMessage(), e));
        return;
      }
      validator.validate(request, operation.getOperationId())
        .onSuccess(validated -> {
          ctx.put(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST, validated);
          ctx.next();
        })
        .onFailure(err -> ctx.fail(err instanceof ValidatorException
          ? new HttpException(400, err.getMessage(), err) : err));
    };
  }

  static ValidatableRequest extract(RoutingContext ctx, Operation operation) {
    Map<String, RequestParameter> headers = new HashMap<>();
    Map<String, RequestParameter> path = new HashMap<>();
    Map<String, RequestParameter> query = new HashMap<>();
    MultiMap params = ctx.queryParams();
    for (Parameter p : operation.getParameters()) {
      switch (p.getIn()) {
        case QUERY -> {
          List<String> values = params.getAll(p.getName());
          if (!values.isEmpty()) {
            query.put(p.getName(), queryValue(p, values));
          }
        }
        case PATH -> {
          String value = ctx.pathParam(p.getName());
          if (value != null) {
            path.put(p.getName(), literal(p, value));
          }
        }
        case HEADER -> {
          String value = ctx.request().getHeader(p.getName());
          if (value != null) {
            headers.put(p.getName(), literal(p, value));
          }
        }
        default -> {
          // cookies: the contract declares none
        }
      }
    }
    if (operation.getRequestBody() == null) {
      return new ValidatableRequestImpl(Map.of(), headers, path, query);
    }
    return new ValidatableRequestImpl(Map.of(), headers, path, query,
      new RequestParameterImpl(ctx.body().buffer()), ctx.request().getHeader("Content-Type"));
  }

  /** A string as a JSON literal (read back verbatim); anything else as sent, for the validator to parse. */
  private static RequestParameter literal(Parameter p, String value) {
    return new RequestParameterImpl(p.getSchemaType() == SchemaType.STRING ? Json.encode(value) : value);
  }

  private static RequestParameter queryValue(Parameter p, List<String> values) {
    if (p.getSchemaType() == SchemaType.ARRAY && p.isExplode()) {
      // The form-explode layout the validator splits: name=v1&name=v2, each item a literal when it is a string.
      boolean strings = stringItems(p.getSchema());
      StringBuilder raw = new StringBuilder();
      for (String v : values) {
        raw.append(raw.length() == 0 ? "" : "&").append(p.getName()).append('=').append(strings ? Json.encode(v) : v);
      }
      return new RequestParameterImpl(raw.toString());
    }
    return literal(p, values.get(0));
  }

  private static boolean stringItems(JsonSchema schema) {
    Object items = schema.get("items");
    return items instanceof JsonSchema s ? "string".equals(s.get("type"))
      : items instanceof JsonObject o && "string".equals(o.getString("type"));
  }
}
