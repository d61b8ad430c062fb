package dev.anvil.store.h2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedoLogTest {
    @TempDir
    Path dir;

    private List<RedoLog.Entry> entries(RedoLog r) throws IOException {
        List<RedoLog.Entry> out = new ArrayList<>();
        r.forEach(out::add);
        return out;
    }

    @Test
    void everyParameterKindComesBackAsWritten() throws IOException {
        Path f = dir.resolve("store.redo");
        OffsetDateTime t = OffsetDateTime.of(2026, 12, 4, 17, 38, 3, 123_456_789, ZoneOffset.ofHours(2));
        List<Object> params = Arrays.asList(
                null,
                42L,
                7,
                "näme",
                true,
                new byte[] {1, 2, 3},
                t,
                Timestamp.from(Instant.parse("2026-12-04T00:00:00.5Z")),
                2.5d,
                (short) 3);
        try (RedoLog r = RedoLog.open(f, false)) {
            r.append(
                    1,
                    List.of(
                            new RedoLog.Stmt("INSERT INTO x VALUES (?)", params),
                            new RedoLog.Stmt("DELETE FROM y", List.of())));
        }
        try (RedoLog r = RedoLog.open(f, true)) {
            List<RedoLog.Entry> got = entries(r);
            assertEquals(1, got.size());
            assertEquals(1, got.get(0).seq());
            assertEquals(1, r.lastSeq());
            List<Object> back = got.get(0).statements().get(0).params();
            for (int i = 0; i < params.size(); i++) {
                if (params.get(i) instanceof byte[] b) {
                    assertArrayEquals(b, (byte[]) back.get(i));
                } else {
                    assertEquals(params.get(i), back.get(i), "parameter " + i);
                }
            }
            assertEquals("DELETE FROM y", got.get(0).statements().get(1).sql());
        }
    }

    @Test
    void recordBytesAreTheDocumentedLayout() throws IOException {
        Path f = dir.resolve("store.redo");
        try (RedoLog r = RedoLog.open(f, false)) {
            r.append(5, List.of(new RedoLog.Stmt("S", List.of(1L))));
        }
        // length 31, CRC-32C, kind 1, seq 5, 1 statement, "S", 1 parameter: tag 1 (long) 1
        String body =
                "01" + "0000000000000005" + "00000001" + "00000001" + "53" + "00000001" + "01" + "0000000000000001";
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(HexFormat.of().parseHex(body));
        String expected = String.format("%08x%08x", body.length() / 2, (int) crc.getValue()) + body;
        assertEquals(expected, HexFormat.of().formatHex(Files.readAllBytes(f)));
    }

    @Test
    void aTornLastRecordIsCutOffAndAppendsGoOnAfterTheLastWholeOne() throws IOException {
        Path f = dir.resolve("store.redo");
        try (RedoLog r = RedoLog.open(f, false)) {
            r.append(1, List.of(new RedoLog.Stmt("A", List.of())));
            r.append(2, List.of(new RedoLog.Stmt("B", List.of("x".repeat(100)))));
        }
        long whole = Files.size(f);
        byte[] all = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(all, all.length - 10)); // the second record torn
        try (RedoLog r = RedoLog.open(f, false)) {
            assertEquals(
                    List.of(1L), entries(r).stream().map(RedoLog.Entry::seq).toList());
            r.append(3, List.of(new RedoLog.Stmt("C", List.of())));
        }
        try (RedoLog r = RedoLog.open(f, false)) {
            assertEquals(
                    List.of(1L, 3L), entries(r).stream().map(RedoLog.Entry::seq).toList());
            assertEquals(3, r.lastSeq());
        }
        assertEquals(true, Files.size(f) < whole);
    }

    @Test
    void aDamagedRecordEndsTheJournalThere() throws IOException {
        Path f = dir.resolve("store.redo");
        try (RedoLog r = RedoLog.open(f, false)) {
            r.append(1, List.of(new RedoLog.Stmt("A", List.of())));
            r.append(2, List.of(new RedoLog.Stmt("B", List.of())));
        }
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {(byte) 0xff}), Files.size(f) - 1); // last byte of record 2
        }
        try (RedoLog r = RedoLog.open(f, false)) {
            assertEquals(
                    List.of(1L), entries(r).stream().map(RedoLog.Entry::seq).toList());
        }
    }

    @Test
    void aHugeLengthIsDamageNotAnAllocation() throws IOException {
        Path f = dir.resolve("store.redo");
        Files.write(
                f, ByteBuffer.allocate(16).putInt(Integer.MAX_VALUE).putInt(0).array());
        try (RedoLog r = RedoLog.open(f, false)) {
            assertEquals(List.of(), entries(r));
            assertEquals(0, r.size());
        }
    }

    @Test
    void abortedTransactionsAreNotReplayedAndResetEmpties() throws IOException {
        Path f = dir.resolve("store.redo");
        try (RedoLog r = RedoLog.open(f, false)) {
            r.append(1, List.of(new RedoLog.Stmt("A", List.of())));
            r.append(2, List.of(new RedoLog.Stmt("B", List.of())));
            r.abort(2);
            r.append(3, List.of(new RedoLog.Stmt("C", List.of())));
        }
        try (RedoLog r = RedoLog.open(f, false)) {
            assertEquals(
                    List.of(1L, 3L), entries(r).stream().map(RedoLog.Entry::seq).toList());
            r.reset();
            assertEquals(0, r.size());
            r.append(4, List.of(new RedoLog.Stmt("D", List.of())));
        }
        try (RedoLog r = RedoLog.open(f, false)) {
            assertEquals(
                    List.of(4L), entries(r).stream().map(RedoLog.Entry::seq).toList());
        }
    }

    @Test
    void aValueItCannotRecordIsRefused() throws IOException {
        try (RedoLog r = RedoLog.open(dir.resolve("store.redo"), false)) {
            assertThrows(
                    IllegalArgumentException.class,
                    () -> r.append(1, List.of(new RedoLog.Stmt("A", List.of(new Object())))));
            assertEquals(0, r.size());
        }
    }
}
