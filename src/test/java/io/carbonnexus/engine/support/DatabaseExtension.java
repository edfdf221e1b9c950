package io.carbonnexus.engine.support;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The database set-up of the verticle tests: with {@code @ExtendWith(DatabaseExtension.class)}, a
 * parameter of type {@link FreshDatabase} gets a new, migrated database. Asked for on a
 * {@code @BeforeEach}, {@code @Test} or {@code @AfterEach} method, it is one database per test
 * method, the same in all three, so that no test sees another's rows; asked for on a
 * {@code @BeforeAll} method, one for the whole class.
 */
public final class DatabaseExtension implements ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(DatabaseExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == FreshDatabase.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    // A method's store sees its class's: a database made for @BeforeAll serves every method.
    return context.getStore(NAMESPACE).getOrComputeIfAbsent(FreshDatabase.class, key -> FreshDatabase.create(),
      FreshDatabase.class);
  }
}
