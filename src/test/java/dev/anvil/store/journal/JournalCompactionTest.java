package dev.anvil.store.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalCompactionTest {
    @TempDir
    Path dir;

    Set<String> compact(String journal) throws Exception {
        Path in = dir.resolve("in");
        Path out = dir.resolve("out");
        Files.writeString(in, journal, StandardCharsets.US_ASCII);
        long kept;
        try (FileChannel i = FileChannel.open(in, StandardOpenOption.READ);
                FileChannel o = FileChannel.open(
                        out,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE)) {
            kept = JournalCompaction.compact(i, Files.size(in), o);
        }
        Set<String> lines = new TreeSet<>(Files.readAllLines(out, StandardCharsets.US_ASCII));
        assertEquals(kept, lines.size());
        return lines;
    }

    @Test
    void keepsTheLastLineOfEachAddressAndDropsMalformedOnes() throws Exception {
        String j = """
        10.0.0.1,02:00:00:00:00:01,admin,100,BOUND
        10.0.0.2,02:00:00:00:00:02,admin,100,BOUND
        10.0.0.1,02:00:00:00:00:01,admin,200,RELEASED
        10.0.0.300,02:00:00:00:00:03,admin,100,BOUND
        10.0.0.3,02:00:00:00:00:03,admin,100
        10.0.0,02:00:00:00:00:04,admin,100,BOUND
        x10.0.0.5,02:00:00:00:00:05,admin,100,BOUND
        10.0.0.6,02:00:00:00:00:06,admin,100,BOUND,extra
        10.0.0.2,02:00:00:00:00:02,admin,300,DECLINED
        10.0.0.7,02:00:00:00:00:07,adm""";
        assertEquals(
                Set.of(
                        "10.0.0.1,02:00:00:00:00:01,admin,200,RELEASED",
                        "10.0.0.2,02:00:00:00:00:02,admin,300,DECLINED"),
                compact(j),
                "the torn last line is not kept either");
        assertEquals(Set.of(), compact(""));
    }

    @Test
    void agreesWithAReplayOnALargeJournal() throws Exception {
        Random r = new Random(5);
        StringBuilder sb = new StringBuilder();
        Map<String, String> last = new HashMap<>();
        for (int i = 0; i < 200_000; i++) {
            String ip = "10." + r.nextInt(4) + "." + r.nextInt(256) + "." + r.nextInt(256);
            String line = ip + ",02:00:00:00:" + String.format("%02x:%02x", r.nextInt(256), r.nextInt(256)) + ",n"
                    + r.nextInt(3) + "," + (1_700_000_000L + i) + "," + (r.nextBoolean() ? "BOUND" : "RELEASED");
            sb.append(line).append('\n');
            last.put(ip, line);
        }
        assertEquals(new TreeSet<>(last.values()), compact(sb.toString()));
    }

    @Test
    void addressParsing() {
        assertEquals(0x0A000001L, addr("10.0.0.1,a,b,c,d"));
        assertEquals(0xFFFFFFFFL, addr("255.255.255.255,a,b,c,d"));
        assertEquals(-1, addr("256.0.0.1,a,b,c,d"));
        assertEquals(-1, addr("1.2.3.4.5,a,b,c,d"));
        assertEquals(-1, addr("1..3.4,a,b,c,d"));
        assertEquals(-1, addr("1.2.3.4"));
        assertEquals(-1, addr(",a,b,c,d"));
    }

    static long addr(String line) {
        ByteBuffer b = ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII));
        return JournalCompaction.addressOf(b, 0, b.limit());
    }
}
