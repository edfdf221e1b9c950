package io.carbonnexus.engine.http;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.json.Json;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.common.dsl.SchemaType;
import io.vertx.openapi.contract.Location;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Hands the contract validator the query exactly as the client sent it. vertx-openapi 5.0 reads
 * a string parameter's value as JSON when it can ({@code a\b} became "a" + backspace, {@code 1.5}
 * a number, {@code a"b} undecodable), so entity names with quotes, backslashes or a numeric look
 * were refused or changed. Each string value is given to it as a JSON string literal instead,
 * which it decodes back to the very same text. Path, headers and body are extracted as usual.
 */
final class LiteralQueryExtractor implements RequestExtractor {

  private final RequestExtractor delegate = RequestExtractor.withBodyHandler();

  @Override
  public Future<ValidatableRequest> extractValidatableRequest(RoutingContext ctx, Operation operation) {
    return delegate.extractValidatableRequest(ctx, operation).map(request -> {
      MultiMap params = ctx.queryParams();
      Map<String, RequestParameter> query = new HashMap<>(request.getQuery());
      for (Parameter p : operation.getParameters()) {
        List<String> values = params.getAll(p.getName());
        if (p.getIn() != Location.QUERY || values.isEmpty()) {
          continue;
        }
        if (p.getSchemaType() == SchemaType.STRING) {
          query.put(p.getName(), new RequestParameterImpl(Json.encode(values.get(0))));
        } else if (p.getSchemaType() == SchemaType.ARRAY && p.isExplode() && stringItems(p.getSchema())) {
          // The form-explode layout the validator splits: name=v1&name=v2
          StringBuilder raw = new StringBuilder();
          for (String v : values) {
            raw.append(raw.length() == 0 ? "" : "&").append(p.getName()).append('=').append(Json.encode(v));
          }
          query.put(p.getName(), new RequestParameterImpl(raw.toString()));
        }
      }
      return new ValidatableRequestImpl(request.getCookies(), request.getHeaders(), request.getPathParameters(), query,
        request.getBody(), request.getContentType());
    });
  }

  private static boolean stringItems(JsonSchema schema) {
    Object items = schema.get("items");
    return items instanceof JsonSchema s ? "string".equals(s.get("type"))
      : items instanceof io.vertx.core.json.JsonObject o && "string".equals(o.getString("type"));
  }
}
