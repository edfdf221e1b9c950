package io.carbonnexus.engine.notify;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.support.TempDirs;
import io.carbonnexus.engine.support.TestDatabase;
import io.carbonnexus.engine.support.VerticleTestBed;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Alert e-mails, received by GreenMail (an in-process SMTP server on 127.0.0.1). */
class EmailReceiverIT extends VerticleTestBed {

  @RegisterExtension
  static final GreenMailExtension SMTP = new GreenMailExtension(new ServerSetup(TempDirs.freePort(), "127.0.0.1", "smtp"));

  private void deploy(Object to) {
    ConfigKeys.NOTIFY_RECEIVERS.put(config, new JsonArray().add(new JsonObject().put("name", "planners").put("kind", "email")
      .put("to", to)));
    ConfigKeys.NOTIFY_SMTP_HOST.put(config, "127.0.0.1");
    ConfigKeys.NOTIFY_SMTP_PORT.put(config, SMTP.getSmtp().getPort());
    ConfigKeys.NOTIFY_SMTP_TLS.put(config, "none");
    ConfigKeys.NOTIFY_SMTP_FROM.put(config, "nexus@example.com");
    ConfigKeys.NOTIFY_GROUP_WAIT.put(config, "0s");
    ConfigKeys.NOTIFY_POLL_INTERVAL.put(config, "100ms");
    ConfigKeys.NOTIFY_RETRY_FIRST.put(config, "100ms");
    ConfigKeys.NOTIFY_EXTERNAL_URL.put(config, "https://nexus.example.com/");
    deploy(new NotificationVerticle(), config);
  }

  private void alert(String entity) {
    TestDatabase.execute(url, "insert into hotspots (entity_type, entity, predicted, baseline, percent_above, severity,"
      + " opened_at, updated_at) values ('route', '" + entity + "', 132, 60, 120, 'warn', now(), now())");
    TestDatabase.execute(url, "with a as (insert into alerts (level, message, hotspot_id, kind, dedup_key, created_at,"
      + " entity_type, entity, percent_above) select 'warn', '" + entity + " exceeded emissions by 120%', max(id), 'firing',"
      + " 'k-" + entity + "', now(), 'route', '" + entity + "', 120 from hotspots returning id)"
      + " insert into notification_outbox (alert_id) select id from a");
  }

  private static List<String> parts(MimeMessage message) throws Exception {
    List<String> types = new ArrayList<>();
    collect(message.getContent(), types);
    return types;
  }

  private static void collect(Object content, List<String> into) throws Exception {
    if (content instanceof Multipart m) {
      for (int i = 0; i < m.getCount(); i++) {
        String type = m.getBodyPart(i).getContentType().toLowerCase();
        if (m.getBodyPart(i).getContent() instanceof Multipart inner) {
          collect(inner, into);
        } else {
          into.add(type.split(";")[0].trim() + ":" + m.getBodyPart(i).getContent());
        }
      }
    }
  }

  @Test
  void anAlertArrivesAsAnEmailWithAPlainTextAndAnHtmlPart() throws Exception {
    deploy(new JsonArray().add("lead@example.com").add("planner@example.com"));
    alert("Hamburg-Rotterdam");
    TestDatabase.waitFor("one copy per recipient", () -> SMTP.getReceivedMessages().length == 2, Duration.ofSeconds(10));
    MimeMessage message = SMTP.getReceivedMessages()[0];
    assertThat(message.getSubject()).isEqualTo("[Carbon Nexus] [WARN] Hamburg-Rotterdam exceeded emissions by 120%");
    assertThat(message.getFrom()[0].toString()).isEqualTo("nexus@example.com");
    assertThat(message.getAllRecipients()).extracting(Object::toString)
      .containsExactlyInAnyOrder("lead@example.com", "planner@example.com");
    assertThat(message.getHeader("X-Nexus-Notification-Id")).hasSize(1);
    List<String> parts = parts(message);
    assertThat(parts).anySatisfy(p -> assertThat(p).startsWith("text/plain:").contains("route: Hamburg-Rotterdam")
      .contains("120% above baseline").contains("https://nexus.example.com/"));
    assertThat(parts).anySatisfy(p -> assertThat(p).startsWith("text/html:").contains("<strong")
      .contains("Hamburg-Rotterdam").contains("href=\"https://nexus.example.com/\""));
    TestDatabase.waitFor("logged as sent", () -> TestDatabase.queryLong(url,
      "select count(*) from notifications where status = 'sent' and receiver = 'planners'") == 1, Duration.ofSeconds(5));
  }

  @Test
  void htmlInAnEntityNameIsEscapedInTheHtmlPart() throws Exception {
    deploy("lead@example.com");
    alert("<b>Route</b>");
    TestDatabase.waitFor("an e-mail", () -> SMTP.getReceivedMessages().length == 1, Duration.ofSeconds(10));
    assertThat(parts(SMTP.getReceivedMessages()[0])).anySatisfy(p -> assertThat(p).startsWith("text/html:")
      .contains("&lt;b&gt;Route&lt;/b&gt;").doesNotContain("<b>Route</b>"));
  }
}
