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
 * each, in order, each in its own transaction, recorded in {@code schema_version}.
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
    int current = 0;
    try (Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
      rs.next();
      current = rs.getInt(1);
    }
    List<String> files = resourceLines("db/migrations");
    if (current > files.size()) {
      throw new SQLException("the database has schema version " + current + " but this Anvil knows only "
          + files.size() + "; use a newer Anvil");
    }
    for (int i = current; i < files.size(); i++) {
      String file = files.get(i);
      int version = Integer.parseInt(file.substring(1, file.indexOf("__")));
      if (version != i + 1) {
        throw new IllegalStateException("migration " + file + " is out of sequence");
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
    return files.size();
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
