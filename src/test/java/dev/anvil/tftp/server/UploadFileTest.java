package dev.anvil.tftp.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UploadFileTest {
    @TempDir
    Path dir;

    long filesIn() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void theTargetAppearsOnlyOnCommitWithEveryByte() throws Exception {
        byte[] data = new byte[200_000];
        new Random(3).nextBytes(data);
        Path target = dir.resolve("dump.bin");
        try (UploadFile f = UploadFile.create(target, false, false, 1 << 20)) {
            for (int off = 0; off < data.length; off += 1468) {
                f.append(Unpooled.wrappedBuffer(data, off, Math.min(1468, data.length - off)));
            }
            assertTrue(!Files.exists(target), "no half file under the name");
            assertEquals(data.length, f.size());
            f.commit();
        }
        assertArrayEquals(data, Files.readAllBytes(target));
        assertEquals(1, filesIn(), "the temporary file is gone");
    }

    @Test
    void netasciiLineEndsAreConvertedAcrossBlockEdges() throws Exception {
        Path target = dir.resolve("notes.txt");
        try (UploadFile f = UploadFile.create(target, false, true, 1000)) {
            for (String part : new String[] {"a\r", "\nb\r", "\0c\r\n", "\r"}) {
                f.append(Unpooled.wrappedBuffer(part.getBytes(StandardCharsets.ISO_8859_1)));
            }
            f.commit();
        }
        assertEquals("a\nb\rc\n\r", Files.readString(target, StandardCharsets.ISO_8859_1));
    }

    @Test
    void theSizeLimitHoldsAndAnAbandonedUploadLeavesNothing() throws Exception {
        try (UploadFile f = UploadFile.create(dir.resolve("big"), false, false, 1000)) {
            f.append(Unpooled.wrappedBuffer(new byte[1000]));
            assertThrows(UploadFile.TooLargeException.class, () -> f.append(Unpooled.wrappedBuffer(new byte[1])));
        }
        assertEquals(0, filesIn());
    }

    @Test
    void aNameTakenMeanwhileIsNotOverwrittenUnlessAllowed() throws Exception {
        Path target = dir.resolve("cfg");
        UploadFile first = UploadFile.create(target, false, false, 100);
        first.append(Unpooled.wrappedBuffer("new".getBytes()));
        Files.writeString(target, "someone else's");
        assertThrows(FileAlreadyExistsException.class, first::commit);
        first.close();
        assertEquals("someone else's", Files.readString(target));
        assertEquals(1, filesIn());
        try (UploadFile second = UploadFile.create(target, true, false, 100)) {
            second.append(Unpooled.wrappedBuffer("replaced".getBytes()));
            second.commit();
        }
        assertEquals("replaced", Files.readString(target));
        assertEquals(1, filesIn());
    }
}
