package io.carbonnexus.engine;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.base.DescribedPredicate.alwaysTrue;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The house rules that keep concerns independent: they talk over the event bus, never by calling
 * each other, so each can run with several instances on any node of a cluster.
 */
class ArchitectureTest {

  private static final JavaClasses ENGINE = new ClassFileImporter()
    .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
    .importPackages("io.carbonnexus.engine");

  /** Infrastructure every concern may use: configuration, database access and the bus contract. */
  private static final String[] SHARED = {
    "io.carbonnexus.engine.config..", "io.carbonnexus.engine.db..", "io.carbonnexus.engine.shared.."};

  @Test
  void concernsDoNotDependOnEachOther() {
    slices().matching("io.carbonnexus.engine.(*)..")
      .should().notDependOnEachOther()
      .ignoreDependency(alwaysTrue(), resideInAnyPackage(SHARED))
      .check(ENGINE);
  }

  @Test
  void sharedPackagesDoNotDependOnConcerns() {
    noClasses().that().resideInAnyPackage(SHARED)
      .should().dependOnClassesThat().resideOutsideOfPackages(
        "io.carbonnexus.engine.config..", "io.carbonnexus.engine.db..", "io.carbonnexus.engine.shared..",
        "java..", "javax..", "io.vertx..", "io.netty..", "io.micrometer..", "org.slf4j..", "org.flywaydb..",
        "io.zonky..", "org.postgresql..")
      .check(ENGINE);
  }

  @Test
  void nothingWritesToStandardOutput() {
    noClasses().that().doNotHaveSimpleName("Main")
      .should().accessField(System.class, "out")
      .orShould().accessField(System.class, "err")
      .check(ENGINE);
  }
}
