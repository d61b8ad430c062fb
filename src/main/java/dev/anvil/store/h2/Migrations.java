package dev.anvil.store.h2;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Versioned schema migrations: the files listed in {@code db/migrations} ({@code V<n>__<what>.sql}) run once
 * each, in order, each in its own transaction, recorded in {@code schema_version}. Versions ascend; a gap (a
 * number reserved by a change not merged yet) is allowed.
 */
final class Migrations {
  private static final Logger log = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {}

  static int apply(Connection c) throws SQLException {
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, description VARCHAR(200) "
          + "NOT NULL, applied_at TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT schema_version_pk PRIMARY KEY "
          + "(version))");
      c.commit();
    }
    java.util.Set<Integer> applied = new java.util.HashSet<>();
    try (Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT version FROM schema_version")) {
      while (rs.next()) {
        applied.add(rs.getInt(1));
      }
    }
    List<String> files = resourceLines("db/migrations");
    java.util.Set<Integer> known = new java.util.HashSet<>();
    int previous = 0;
    for (String file : files) {
      int version = Integer.parseInt(file.substring(1, file.indexOf("__")));
      if (version <= previous) {
        throw new IllegalStateException("migration " + file + " is out of sequence");
      }
      previous = version;
      known.add(version);
    }
    for (int v : applied) {
      if (!known.contains(v)) {
        throw new SQLException("the database has schema version " + v + " but this Anvil does not know it; "
            + "use a newer Anvil");
      }
    }
    // Versions ascend but may have gaps (a number taken by a change not merged yet); one listed but not
    // recorded is applied even when a later one already is (changes merged out of order).
    for (String file : files) {
      int version = Integer.parseInt(file.substring(1, file.indexOf("__")));
      if (applied.contains(version)) {
        continue;
      }
      try (Statement s = c.createStatement()) {
        for (String sql : statements(resource("db/" + file))) {
          s.execute(sql);
        }
        try (PreparedStatement p = c.prepareStatement(
            "INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, CURRENT_TIMESTAMP)")) {
          p.setInt(1, version);
          p.setString(2, file);
          p.executeUpdate();
        }
        c.commit();
        log.info("applied schema migration {}", file);
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    }
    c.setAutoCommit(true);
    return previous;
  }

  /** Splits a script on semicolons that end a line; strips "--" comment lines. */
  static List<String> statements(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (String line : script.split("\n")) {
      String t = line.strip();
      if (t.startsWith("--") || t.isEmpty()) {
        continue;
      }
      cur.append(line).append('\n');
      if (t.endsWith(";")) {
        String sql = cur.toString().strip();
        out.add(sql.substring(0, sql.length() - 1));
        cur.setLength(0);
      }
    }
    if (!cur.toString().isBlank()) {
      out.add(cur.toString().strip());
    }
    return out;
  }

  private static List<String> resourceLines(String name) {
    return resource(name).lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
  }

  private static String resource(String name) {
    try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("resource " + name + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
