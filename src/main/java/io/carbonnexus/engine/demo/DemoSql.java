package io.carbonnexus.engine.demo;

/** The demo feed's queries. */
final class DemoSql {

  /** Locks the mark for the transaction: two feeds on one database (two nodes) never write a range twice. */
  static final String LOCK_STATE = "select generated_until from demo_feed_state where id = 1 for update";

  /** The first start's showcase surge; written with the first mark, kept for ever after. */
  static final String SHOWCASE = "select showcase_from from demo_feed_state where id = 1";

  static final String WRITE_STATE = """
    insert into demo_feed_state (id, generated_until, showcase_from) values (1, $1, $2)
    on conflict (id) do update set generated_until = excluded.generated_until, updated_at = now()
    """;

  private DemoSql() {
  }
}
