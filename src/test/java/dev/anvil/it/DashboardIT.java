package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser: Debian's {@code chromium}, headless, driven through Debian's
 * {@code chromedriver} by Selenium, against the real daemon. Without a token the page shows no data; with the
 * admin token a node created through the API appears without a reload (the event stream), a state change made
 * through the API and one made with the page's own button show up; and no Content-Security-Policy violation or
 * other console error happens. A screenshot goes to {@code target/dashboard.png} (and to the path in
 * {@code -Ddashboard.screenshot=...}, for doc/dashboard.png).
 */
class DashboardIT {
    static final String CHROMIUM = "/usr/bin/chromium";
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    static Path tmp;

    static DaemonProcess daemon;
    static ChromeDriver browser;

    @BeforeAll
    static void start() throws Exception {
        for (String f : List.of(CHROMIUM, CHROMEDRIVER)) {
            assertTrue(Files.isExecutable(Path.of(f)), f + " is missing: apt-get install chromium chromium-driver");
        }
        Path cfg = tmp.resolve("anvil.yaml");
        Files.writeString(
                cfg,
                "dhcp: {enabled: false}\ndns: {enabled: false}\ntftp: {enabled: false}\n"
                        + "lifecycle: {aliveIntervalSeconds: 0}\n"
                        + "api: {events: {maxStreams: 3, heartbeatSeconds: 1}}\n"
                        + "networks: [{name: admin, id: 1, cidr: 10.10.0.0/24, staticRange: 10.10.0.10-10.10.0.99, "
                        + "dhcpPool: 10.10.0.100-10.10.0.199, domain: cluster.test, serverAddress: 10.10.0.1}]\n");
        daemon = DaemonProcess.start(tmp.resolve("state"), "127.0.0.1:0", "--config", cfg.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--window-size=1400,1100",
                "--user-data-dir=" + tmp.resolve("chromium"));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (daemon != null) {
            daemon.close();
        }
    }

    /** Each test starts on a fresh page with no token in the tab and no console lines left over. */
    @BeforeEach
    void fresh() {
        browser.get(daemon.base().toString() + "/");
        browser.executeScript("sessionStorage.clear()");
        browser.navigate().refresh();
        wait(ExpectedConditions.visibilityOfElementLocated(By.id("login")));
        browser.manage().logs().get(LogType.BROWSER); // drained
    }

    <T> T wait(java.util.function.Function<org.openqa.selenium.WebDriver, T> condition) {
        return new WebDriverWait(browser, WAIT).until(condition);
    }

    void logIn(String token) {
        browser.findElement(By.id("token")).sendKeys(token);
        browser.findElement(By.cssSelector("#login-form button")).click();
    }

    /** The node's row once it shows {@code state}. */
    WebElement row(String name, String state) {
        By by = By.cssSelector("#nodes tr[data-name='" + name + "'][data-state='" + state + "']");
        return wait(ExpectedConditions.visibilityOfElementLocated(by));
    }

    @Test
    void withoutAValidTokenThePageShowsNoData() throws Exception {
        Http.Reply nodes = daemon.api().post("/api/v1/nodes", "{\"name\":\"hidden\",\"macs\":[\"52:54:00:00:0d:01\"]}");
        assertEquals(201, nodes.status(), nodes.body());
        assertTrue(browser.findElement(By.id("login")).isDisplayed());
        assertFalse(browser.findElement(By.id("app")).isDisplayed());
        assertEquals(0, browser.findElements(By.cssSelector("#nodes tbody tr")).size());
        assertFalse(browser.getPageSource().contains("hidden.cluster.test"));

        logIn("not-a-token");
        WebElement error = wait(ExpectedConditions.visibilityOfElementLocated(By.id("login-error")));
        wait(d -> !error.getText().isEmpty());
        assertTrue(error.getText().contains("refused"), error.getText());
        assertFalse(browser.findElement(By.id("app")).isDisplayed());
        assertFalse(browser.getPageSource().contains("hidden.cluster.test"));
        assertEquals(null, browser.executeScript("return sessionStorage.getItem('anvil-token')"), "not kept");

        // the files are public, the data is not, and no token ever goes in a URL
        Http anonymous = new Http(daemon.base());
        Http.Reply page = anonymous.get("/");
        assertEquals(200, page.status());
        String csp = page.headers().firstValue("content-security-policy").orElse("");
        assertTrue(csp.contains("default-src 'self'") && csp.contains("script-src 'self'"), csp);
        assertFalse(csp.contains("unsafe-inline"), csp);
        assertEquals(200, anonymous.get("/ui/app.js").status());
        assertEquals(401, anonymous.get("/api/v1/nodes").status());
        assertEquals(401, anonymous.get("/api/v1/events").status());
        assertEquals(
                401,
                anonymous
                        .get("/api/v1/events?access_token=" + daemon.adminToken())
                        .status());
        daemon.api().send("DELETE", "/api/v1/nodes/hidden", null);
    }

    @Test
    void aNodeCreatedThroughTheApiAppearsLiveAndItsStateChangesShow() throws Exception {
        logIn(daemon.adminToken());
        wait(ExpectedConditions.textToBe(By.id("live"), "live"));
        wait(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#networks tbody tr")));
        browser.executeScript("window.notReloaded = true");

        Http.Reply created = daemon.api().post("/api/v1/nodes", "{\"name\":\"web1\",\"macs\":[\"52:54:00:00:0a:01\"]}");
        assertEquals(201, created.status(), created.body());
        WebElement r = row("web1.cluster.test", "discovering");
        assertTrue(r.getText().contains("52:54:00:00:0a:01"), r.getText());
        assertTrue(r.getText().contains("10.10.0."), r.getText());
        assertTrue(r.getText().contains("sledgehammer"), r.getText());

        Http.Reply failed = daemon.api().post("/api/v1/nodes/web1/actions/fail", "{\"reason\":\"disk died\"}");
        assertEquals(200, failed.status(), failed.body());
        row("web1.cluster.test", "failed");
        assertEquals(
                "1",
                browser.findElement(By.cssSelector(".count[data-state='failed'] b"))
                        .getText());

        // the page's own action: open the node, redeploy it
        row("web1.cluster.test", "failed").click();
        wait(ExpectedConditions.visibilityOfElementLocated(By.id("node")));
        wait(ExpectedConditions.textToBe(By.id("node-name"), "web1.cluster.test"));
        WebElement note = browser.findElement(By.id("timeline-note"));
        wait(d -> !note.getText().equals("loading..."));
        assertTrue(
                note.getText().equals("timeline not available")
                        || note.getText().contains("events, oldest first"),
                note.getText());
        browser.findElement(By.id("act-redeploy")).click();
        row("web1.cluster.test", "discovering");
        assertEquals("", browser.findElement(By.id("action-error")).getText());
        assertEquals(
                "discovering",
                daemon.api().get("/api/v1/nodes/web1").json().path("state").asText());
        assertEquals(Boolean.TRUE, browser.executeScript("return window.notReloaded === true"), "never reloaded");

        // two more for the screenshot, in other states
        for (String body : List.of(
                "{\"name\":\"web2\",\"macs\":[\"52:54:00:00:0a:02\"],\"bootEnv\":\"local\"}",
                "{\"name\":\"db2\",\"macs\":[\"52:54:00:00:0a:03\"],\"bootEnv\":\"debian-12-install\"}")) {
            assertEquals(201, daemon.api().post("/api/v1/nodes", body).status());
        }
        row("web2.cluster.test", "installed");
        row("db2.cluster.test", "install-pending");
        Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, Path.of("target", "dashboard.png"), StandardCopyOption.REPLACE_EXISTING);
        String docCopy = System.getProperty("dashboard.screenshot");
        if (docCopy != null) {
            Files.copy(shot, Path.of(docCopy), StandardCopyOption.REPLACE_EXISTING);
        }
        for (String n : List.of("web1", "web2", "db2")) {
            assertEquals(
                    204, daemon.api().send("DELETE", "/api/v1/nodes/" + n, null).status());
        }
    }

    /** A stream read by curl, as a client: its lines as they arrive. */
    record Stream(Process curl, java.util.concurrent.BlockingQueue<String> lines) {
        static Stream open(String url, String token) throws Exception {
            Process p = new ProcessBuilder("curl", "-sSN", "-D", "-", "-H", "Authorization: Bearer " + token, url)
                    .redirectErrorStream(true)
                    .start();
            java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
            Thread t = new Thread(() -> {
                try (var r = p.inputReader()) {
                    r.lines().forEach(lines::add);
                } catch (java.io.IOException ignored) {
                    // curl ended
                }
            });
            t.setDaemon(true);
            t.start();
            return new Stream(p, lines);
        }

        /** Lines up to and including the first that {@code test} accepts (fails after the wait). */
        List<String> until(java.util.function.Predicate<String> test) throws InterruptedException {
            List<String> seen = new java.util.ArrayList<>();
            long end = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < end) {
                String l = lines.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (l != null) {
                    seen.add(l.strip());
                    if (test.test(l.strip())) {
                        return seen;
                    }
                }
            }
            throw new AssertionError("not seen in time; got " + seen);
        }
    }

    @Test
    void theEventStreamOverHttpIsLiveHeartbeatingAndCapped() throws Exception {
        String url = daemon.uri("/api/v1/events").toString();
        List<Stream> open = new java.util.ArrayList<>();
        try {
            Stream first = Stream.open(url, daemon.adminToken());
            open.add(first);
            List<String> head = first.until(l -> l.startsWith("event: hello"));
            assertTrue(head.contains("HTTP/1.1 200 OK"), head.toString());
            assertTrue(
                    head.stream().anyMatch(l -> l.equalsIgnoreCase("content-type: text/event-stream; charset=utf-8")));
            assertTrue(head.stream().anyMatch(l -> l.equalsIgnoreCase("transfer-encoding: chunked")));
            assertTrue(head.contains("retry: 5000"), head.toString());
            Http.Reply created =
                    daemon.api().post("/api/v1/nodes", "{\"name\":\"sse1\",\"macs\":[\"52:54:00:00:0c:01\"]}");
            assertEquals(201, created.status(), created.body());
            first.until(l -> l.equals("event: node"));
            assertTrue(first.until(l -> l.startsWith("data: ")).get(0).contains("\"name\":\"sse1.cluster.test\""));
            first.until(l -> l.equals(": heartbeat")); // heartbeatSeconds: 1

            // maxStreams: 3 (the browser may still hold one that is closing): the next is 503 with Retry-After
            List<String> refusal = null;
            for (int i = 0; i < 5 && refusal == null; i++) {
                Stream s = Stream.open(url, daemon.adminToken());
                open.add(s);
                List<String> h = s.until(l -> l.startsWith("HTTP/1.1"));
                if (h.get(h.size() - 1).startsWith("HTTP/1.1 503")) {
                    refusal = s.until(l -> l.startsWith("{"));
                } else {
                    s.until(l -> l.startsWith("event: hello"));
                }
            }
            assertTrue(refusal != null, "a fourth stream was refused");
            assertTrue(refusal.stream().anyMatch(l -> l.equalsIgnoreCase("retry-after: 5")), refusal.toString());
            assertTrue(refusal.get(refusal.size() - 1).contains("api.events.maxStreams 3"), refusal.toString());
            Http.Reply status = daemon.api().get("/api/v1/status");
            assertTrue(status.body().contains("\"refused\":"), status.body());
            assertEquals(
                    204, daemon.api().send("DELETE", "/api/v1/nodes/sse1", null).status());
        } finally {
            for (Stream s : open) {
                s.curl().destroy();
            }
        }
    }

    @Test
    void noContentSecurityPolicyViolationOrConsoleError() throws Exception {
        ((JavascriptExecutor) browser)
                .executeScript("window.violations = [];"
                        + "document.addEventListener('securitypolicyviolation',"
                        + " e => window.violations.push(e.violatedDirective + ' ' + e.blockedURI));");
        logIn(daemon.adminToken());
        wait(ExpectedConditions.textToBe(By.id("live"), "live"));
        Http.Reply created = daemon.api().post("/api/v1/nodes", "{\"name\":\"db1\",\"macs\":[\"52:54:00:00:0b:01\"]}");
        assertEquals(201, created.status(), created.body());
        row("db1.cluster.test", "discovering");
        browser.findElement(By.id("search")).sendKeys("db1");
        wait(d -> d.findElements(By.cssSelector("#nodes tbody tr")).size() == 1);
        // after a reload the token is still in the tab (sessionStorage) and the page comes back live
        browser.navigate().refresh();
        wait(ExpectedConditions.textToBe(By.id("live"), "live"));
        row("db1.cluster.test", "discovering");
        browser.executeScript("window.violations = [];"
                + "document.addEventListener('securitypolicyviolation',"
                + " e => window.violations.push(e.violatedDirective + ' ' + e.blockedURI));");
        daemon.api().send("DELETE", "/api/v1/nodes/db1", null);
        wait(ExpectedConditions.invisibilityOfElementLocated(
                By.cssSelector("#nodes tr[data-name='db1.cluster.test']")));

        assertEquals(List.of(), browser.executeScript("return window.violations"));
        List<String> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue())
                .map(LogEntry::toString)
                .toList();
        assertEquals(List.of(), errors, "console errors and warnings (a CSP violation is one)");
    }
}
