package dev.anvil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How the API's refusals become messages and exit codes; path segments. */
class ApiTest {
    static Api api(Optional<String> token) {
        return new Api(
                new Settings(URI.create("http://127.0.0.1:8080"), "default", token, "ANVIL_TOKEN", Path.of("/s")),
                new ObjectMapper());
    }

    @Test
    void aRefusalShowsTheApisMessageAndField() {
        CliException e = api(Optional.of("t"))
                .refusal(409, "{\"error\":\"a MAC address belongs to another node\",\"field\":\"macs\"}");
        assertEquals(CliException.REFUSED, e.exitCode());
        assertEquals("HTTP 409: a MAC address belongs to another node (field: macs)", e.getMessage());
        assertEquals(
                "HTTP 500: internal error",
                api(Optional.of("t"))
                        .refusal(500, "{\"error\":\"internal error\",\"field\":null}")
                        .getMessage());
    }

    @Test
    void authRefusalsAreExitFourAndSayWhereTheTokenCameFromOrWhereToPutOne() {
        CliException bad = api(Optional.of("t"))
                .refusal(401, "{\"error\":\"the bearer token is unknown or revoked\",\"field\":null}");
        assertEquals(CliException.AUTH, bad.exitCode());
        assertEquals("HTTP 401: the bearer token is unknown or revoked (the token from ANVIL_TOKEN)", bad.getMessage());
        CliException none = api(Optional.empty()).refusal(401, "{\"error\":\"needs a token\",\"field\":null}");
        assertEquals(CliException.AUTH, none.exitCode());
        assertEquals(
                "HTTP 401: needs a token; no token found: give --token, set ANVIL_TOKEN, put token=... in cli.conf, or "
                        + "run as a user who may read /s/admin-token (--state-dir, ANVIL_STATE_DIR)",
                none.getMessage());
        assertEquals(
                CliException.AUTH,
                api(Optional.of("t"))
                        .refusal(403, "{\"error\":\"read-only\",\"field\":null}")
                        .exitCode());
    }

    @Test
    void anAnswerThatIsNotTheApisJsonMeansTheUrlIsNotAnvild() {
        CliException e = api(Optional.of("t")).refusal(502, "<html>Bad Gateway</html>\n<body>");
        assertEquals(CliException.UNREACHABLE, e.exitCode());
        assertEquals(
                "cannot reach anvild at http://127.0.0.1:8080 (from default): HTTP 502 that is not the Anvil API's JSON:"
                        + " <html>Bad Gateway</html>",
                e.getMessage());
    }

    @Test
    void segmentsKeepNamesAndMacsAndEncodeTheRest() {
        assertEquals("n1.cluster.test", Api.seg("n1.cluster.test"));
        assertEquals("52:54:00:12:34:56", Api.seg("52:54:00:12:34:56"));
        assertEquals("a%2Fb%3Fc%20d%C3%A9", Api.seg("a/b?c dé"));
    }
}
