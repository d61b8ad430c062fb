package dev.anvil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** {@code anvil timeline}'s table: the events in the API's order, instants to the millisecond, drops noted. */
class TimelineCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void eventsAreRowsOldestFirstWithDropsNoted() throws Exception {
        String body = """
                {"node":"n1.cluster.test","events":[
                 {"at":"2026-12-05T10:40:02.123456Z","source":"dhcp","event":"discover -> offer",
                  "mac":"52:54:00:12:34:56","address":"10.10.0.50","detail":"arch=7 file=snponly.efi"},
                 {"at":"2026-12-05T10:40:03Z","source":"lifecycle","event":"state","mac":null,"address":null,
                  "detail":"ready -> install-pending"}],
                 "dropped":3}
                """;
        assertEquals(
                "AT                        SOURCE     EVENT              MAC                ADDRESS     DETAIL\n"
                        + "2026-12-05T10:40:02.123Z  dhcp       discover -> offer  52:54:00:12:34:56  10.10.0.50  "
                        + "arch=7 file=snponly.efi\n"
                        + "2026-12-05T10:40:03.000Z  lifecycle  state              -                  -           "
                        + "ready -> install-pending\n"
                        + "3 events dropped since the daemon started (its timeline queue was full)\n",
                TimelineCommand.human(JSON.readTree(body)));
        assertEquals(
                "AT  SOURCE  EVENT  MAC  ADDRESS  DETAIL\n",
                TimelineCommand.human(JSON.readTree("{\"node\":\"n\",\"events\":[],\"dropped\":0}")));
    }
}
