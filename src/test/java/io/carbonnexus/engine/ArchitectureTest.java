package io.carbonnexus.engine;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static com.tngtech.archunit.base.DescribedPredicate.alwaysTrue;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

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

  /**
   * The pure cores: they take data (and a clock) and return decisions, so their tests need no
   * server and they can be read without knowing Vert.x. Each names why it is one. None of them
   * uses Vert.x today; keeping it so is the point of the rule.
   */
  private static final String[] PURE_CORES = {
    // Hotspot state changes: open, escalate, de-escalate, resolve, from readings and a clock.
    "hotspot.HotspotPolicy",
    // What is normal for an entity, learnt from its hourly history (statistics only).
    "hotspot.SeasonalModel",
    // An entity's readings over each window against its normal; live detection and replay share it.
    "hotspot.Evaluator",
    // Tail probabilities of counts (Poisson, negative binomial): numerics.
    "hotspot.PoissonTail",
    // Detection over a past range, in memory, through the same Evaluator and policy as live.
    "hotspot.Replay",
    // Which notification a hotspot change deserves: same change, state and settings, same decision.
    "alerting.AlertPolicy",
    // Root cause and ranked actions from a hotspot's own facts, when no RAG service answers.
    "recommendation.RuleRecommender",
    // The built-in emission model: distance, load and factor to CO2e.
    "prediction.EmissionModel",
    "prediction.EmissionFactor",
    "prediction.EmissionFactorTable",
    // When a notification is due, and what an attempt's outcome means for it.
    "notify.DeliveryPolicy"};

  /**
   * Pure cores whose job is to read a bus body: they may use Vert.x's JSON types (plain data, no
   * event loop or I/O) and nothing else of Vert.x. ReportRequest checks the report's query, which
   * arrives as a JsonObject.
   */
  private static final String[] PURE_CORES_READING_JSON = {"report.ReportRequest"};

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
  void pureCoresUseNothingOfVertx() {
    noClasses().that().haveNameMatching(namesOf(PURE_CORES))
      .should().dependOnClassesThat().resideInAPackage("io.vertx..")
      .check(ENGINE);
  }

  @Test
  void pureCoresThatReadABusBodyUseOnlyVertxJson() {
    noClasses().that().haveNameMatching(namesOf(PURE_CORES_READING_JSON))
      .should().dependOnClassesThat(resideInAPackage("io.vertx..").and(resideOutsideOfPackage("io.vertx.core.json..")))
      .check(ENGINE);
  }

  @Test
  void everyPureCoreNamedInTheRulesExists() {
    // A renamed or moved core would otherwise drop out of the rules without a word.
    for (String core : concat(PURE_CORES, PURE_CORES_READING_JSON)) {
      assertThat(ENGINE.contain("io.carbonnexus.engine." + core)).as(core).isTrue();
    }
  }

  @Test
  void nothingWritesToStandardOutput() {
    noClasses().that().doNotHaveSimpleName("Main")
      .should().accessField(System.class, "out")
      .orShould().accessField(System.class, "err")
      .check(ENGINE);
  }

  /** The classes and their nested classes (records and enums inside a policy). */
  private static String namesOf(String[] cores) {
    return "io\\.carbonnexus\\.engine\\.(" + String.join("|", cores).replace(".", "\\.") + ")(\\$.*)?";
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
