package dev.anvil.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.config.TlsConfig;
import dev.anvil.lifecycle.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS for the admin listener: the three key sources, the fixed protocol floor, real handshakes with curl. */
class TlsTest {
    @TempDir
    Path dir;

    // ---- (a) the self-signed pair

    @Test
    void selfSignedPairIsMadeOnceThenReused() throws Exception {
        Path state = dir.resolve("state");
        SslContext first = Tls.serverContext(TlsConfig.selfSigned(), state);
        assertTrue(first.isServer());
        Path tls = state.resolve("tls");
        Path p12 = tls.resolve("admin.p12");
        Path pass = tls.resolve("admin.p12.pass");
        Path crt = SelfSignedPair.selfSignedCertificate(state);
        assertEquals(tls.resolve("admin.crt"), crt);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p12)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pass)));
        assertEquals(Set.of("admin.p12", "admin.p12.pass", "admin.crt"), names(tls), "no temporary files left");

        X509Certificate exported = Pem.readCertificates(crt).get(0);
        byte[] storeBytes = Files.readAllBytes(p12);
        byte[] password = Files.readAllBytes(pass);
        Tls.Identity again = Tls.identity(TlsConfig.selfSigned(), state);
        assertEquals(Tls.fingerprint(exported), again.fingerprint(), "the second start reuses the pair");
        assertArrayEquals(storeBytes, Files.readAllBytes(p12));
        assertArrayEquals(password, Files.readAllBytes(pass));
        assertTrue(Tls.serverContext(TlsConfig.selfSigned(), state).isServer());

        Set<String> sans = sans(exported);
        assertTrue(sans.containsAll(List.of("localhost", "127.0.0.1")), sans.toString());
        assertEquals(new TreeSet<>(SelfSignedPair.defaultNames()), sans);
        assertEquals("EC", exported.getPublicKey().getAlgorithm());
        long days = (exported.getNotAfter().getTime() - exported.getNotBefore().getTime()) / 86_400_000L;
        assertEquals(SelfSignedPair.VALIDITY_DAYS, days);
        assertTrue(exported.getExtendedKeyUsage().contains("1.3.6.1.5.5.7.3.1"), "serverAuth");
    }

    @Test
    void changedNamesMakeANewPair() throws Exception {
        Path state = dir.resolve("state");
        String before = Tls.identity(TlsConfig.selfSigned(), state).fingerprint();
        TlsConfig named = new TlsConfig(new TlsConfig.SelfSigned(List.of("anvil.lab.example", "10.1.2.3", "::1")));
        Tls.Identity after = Tls.identity(named, state);
        assertNotEquals(before, after.fingerprint());
        assertEquals(Set.of("anvil.lab.example", "10.1.2.3", "0:0:0:0:0:0:0:1"), sans(after.certificate()));
        assertEquals(
                after.fingerprint(),
                Tls.fingerprint(Pem.readCertificates(SelfSignedPair.selfSignedCertificate(state))
                        .get(0)),
                "admin.crt follows the new pair");
        assertEquals(after.fingerprint(), Tls.identity(named, state).fingerprint());
    }

    @Test
    void aBrokenSelfSignedStoreIsAClearErrorNotASilentNewCertificate() throws Exception {
        Path state = dir.resolve("state");
        Tls.identity(TlsConfig.selfSigned(), state);
        Path pass = state.resolve("tls/admin.p12.pass");
        Files.writeString(pass, "not the password\n");
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> Tls.serverContext(TlsConfig.selfSigned(), state));
        assertTrue(e.getMessage().contains(state.resolve("tls/admin.p12").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("wrong password"), e.getMessage());
        assertTrue(e.getMessage().contains("delete"), e.getMessage());
    }

    // ---- (b) PEM and PKCS#12 files made with openssl

    @Test
    void opensslPemPairsLoad() throws Exception {
        Pair ec = ecPair("ec");
        Tls.Identity id = Tls.pem(ec.cert(), ec.key());
        assertEquals("EC", id.key().getAlgorithm());
        assertEquals(
                openssl("x509", "-in", ec.cert().toString(), "-noout", "-fingerprint", "-sha256")
                        .strip(),
                "sha256 Fingerprint=" + id.fingerprint(),
                "the fingerprint as openssl prints it");
        assertTrue(Tls.serverContext(TlsConfig.pem(ec.cert(), ec.key()), dir).isServer());

        Path rsaKey = dir.resolve("rsa.key");
        Path rsaCert = dir.resolve("rsa.crt");
        openssl(
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                "/CN=localhost",
                "-days",
                "30",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
                "-keyout",
                rsaKey.toString(),
                "-out",
                rsaCert.toString());
        assertEquals("RSA", Tls.pem(rsaCert, rsaKey).key().getAlgorithm());

        // a chain file: leaf then another certificate; a key file with a certificate before the key
        Path chain = dir.resolve("chain.crt");
        Files.writeString(chain, Files.readString(ec.cert()) + Files.readString(rsaCert));
        Path keyWithJunk = dir.resolve("mixed.key");
        Files.writeString(keyWithJunk, "comment\n" + Files.readString(rsaCert) + Files.readString(ec.key()));
        assertEquals(2, Tls.pem(chain, keyWithJunk).chain().size());
    }

    @Test
    void opensslPkcs12LoadsWithPasswordOrPasswordFile() throws Exception {
        Pair ec = ecPair("ec");
        Path p12 = dir.resolve("admin.p12");
        openssl(
                "pkcs12",
                "-export",
                "-in",
                ec.cert().toString(),
                "-inkey",
                ec.key().toString(),
                "-name",
                "admin",
                "-passout",
                "pass:s3cret",
                "-out",
                p12.toString());
        String want = Tls.pem(ec.cert(), ec.key()).fingerprint();
        TlsConfig inline = new TlsConfig(new TlsConfig.Pkcs12(p12, Optional.of("s3cret"), Optional.empty()));
        assertEquals(want, Tls.identity(inline, dir).fingerprint());
        Path pw = dir.resolve("pw");
        Files.writeString(pw, "s3cret\n");
        TlsConfig fromFile = new TlsConfig(new TlsConfig.Pkcs12(p12, Optional.empty(), Optional.of(pw)));
        assertTrue(Tls.serverContext(fromFile, dir).isServer());

        TlsConfig wrong = new TlsConfig(new TlsConfig.Pkcs12(p12, Optional.of("guess"), Optional.empty()));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Tls.serverContext(wrong, dir));
        assertEquals("cannot open the PKCS#12 file " + p12 + ": wrong password", e.getMessage());
    }

    // ---- protocols and suites

    @Test
    void onlyTls13And12WithAeadForwardSecretSuites() {
        SslContext ctx = Tls.serverContext(TlsConfig.selfSigned(), dir);
        SSLEngine engine = ctx.newEngine(ByteBufAllocator.DEFAULT);
        assertEquals(Set.of("TLSv1.3", "TLSv1.2"), Set.of(engine.getEnabledProtocols()));
        List<String> suites = Arrays.asList(engine.getEnabledCipherSuites());
        assertTrue(Tls.CIPHERS.containsAll(suites), suites.toString());
        assertTrue(
                suites.contains("TLS_AES_128_GCM_SHA256") && suites.contains("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
                suites.toString());
        assertFalse(engine.getNeedClientAuth() || engine.getWantClientAuth());
        assertTrue(ctx.applicationProtocolNegotiator().protocols().isEmpty(), "no ALPN: HTTP/1.1");
    }

    // ---- (c) real handshakes with curl

    @Test
    void curlTrustsTheExportedCertificateAndNothingElse() throws Exception {
        Path state = dir.resolve("state");
        try (Server s = new Server(Tls.serverContext(TlsConfig.selfSigned(), state))) {
            String url = "https://127.0.0.1:" + s.port() + "/v1/status";
            String crt = SelfSignedPair.selfSignedCertificate(state).toString();

            Curl ok = curl("--cacert", crt, url);
            assertEquals(0, ok.exit(), ok.toString());
            assertEquals("ok GET /v1/status\n", ok.out());
            assertTrue(ok.err().contains("SSL connection using TLSv1.3"), ok.err());

            Curl tls12 = curl("--cacert", crt, "--tls-max", "1.2", url);
            assertEquals(0, tls12.exit(), tls12.toString());
            assertTrue(tls12.err().contains("SSL connection using TLSv1.2 / ECDHE-ECDSA-AES"), tls12.err());

            Curl untrusted = curl(url);
            assertEquals(60, untrusted.exit(), "certificate verification fails: " + untrusted);
            assertTrue(
                    untrusted.err().contains("self-signed certificate")
                            || untrusted.err().contains("self signed"),
                    untrusted.err());

            // the client is allowed TLS 1.1 and weak suites (seclevel 0); the server is what refuses it
            s.failures.clear();
            Curl old = curl("--cacert", crt, "--tlsv1.1", "--tls-max", "1.1", "--ciphers", "DEFAULT:@SECLEVEL=0", url);
            assertEquals(35, old.exit(), "the handshake fails: " + old);
            // the untrusted handshake above may report its own failure late (the client's alert): skip those
            Throwable refused = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            List<Throwable> others = new ArrayList<>();
            while (refused == null && System.nanoTime() < deadline) {
                Throwable f = s.failures.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (f != null && String.valueOf(f.getMessage()).contains("TLSv1.1")) {
                    refused = f;
                } else if (f != null) {
                    others.add(f);
                }
            }
            assertTrue(refused != null, "the server refused the client's TLSv1.1; it reported only: " + others);
        }
    }

    @Test
    void curlReachesAServerWithOpensslPemPairs() throws Exception {
        Pair ed = new Pair(dir.resolve("ed.crt"), dir.resolve("ed.key"));
        openssl(
                "req",
                "-x509",
                "-newkey",
                "ed25519",
                "-nodes",
                "-subj",
                "/CN=localhost",
                "-days",
                "30",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
                "-keyout",
                ed.key().toString(),
                "-out",
                ed.cert().toString());
        for (Pair pair : List.of(ecPair("ec"), ed)) {
            try (Server s = new Server(Tls.serverContext(TlsConfig.pem(pair.cert(), pair.key()), dir))) {
                Curl ok = curl("--cacert", pair.cert().toString(), "https://127.0.0.1:" + s.port() + "/");
                assertEquals(0, ok.exit(), pair + ": " + ok);
                assertEquals("ok GET /\n", ok.out());
            }
        }
    }

    // ---- (d) clear errors

    @Test
    void aKeyThatIsNotTheCertificatesIsNamed() throws Exception {
        Pair a = ecPair("a");
        Pair b = ecPair("b");
        IllegalStateException e = assertThrows(
                IllegalStateException.class, () -> Tls.serverContext(TlsConfig.pem(a.cert(), b.key()), dir));
        assertEquals("the private key " + b.key() + " does not match the certificate " + a.cert(), e.getMessage());

        Path rsaKey = dir.resolve("rsa.key");
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", rsaKey.toString());
        e = assertThrows(IllegalStateException.class, () -> Tls.pem(a.cert(), rsaKey));
        assertEquals(
                "the private key " + rsaKey + " does not match the certificate " + a.cert()
                        + " (a RSA key, a EC certificate)",
                e.getMessage());
    }

    @Test
    void missingUnreadableAndWrongKindsOfFilesAreNamed() throws Exception {
        Pair ec = ecPair("ec");
        Path nowhere = dir.resolve("nowhere.crt");
        assertEquals(
                "cannot read the certificate file " + nowhere + ": no such file",
                assertThrows(IllegalStateException.class, () -> Tls.pem(nowhere, ec.key()))
                        .getMessage());
        assertEquals(
                "the certificate file " + ec.key() + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
                assertThrows(IllegalStateException.class, () -> Tls.pem(ec.key(), ec.key()))
                        .getMessage());
        assertEquals(
                "the private key file " + ec.cert() + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)",
                assertThrows(IllegalStateException.class, () -> Tls.pem(ec.cert(), ec.cert()))
                        .getMessage());

        Path traditional = dir.resolve("traditional.key");
        openssl("ec", "-in", ec.key().toString(), "-out", traditional.toString());
        String msg = assertThrows(IllegalStateException.class, () -> Tls.pem(ec.cert(), traditional))
                .getMessage();
        assertTrue(
                msg.startsWith("the private key file " + traditional + " holds a EC PRIVATE KEY (traditional format), "
                        + "not PKCS#8"),
                msg);

        Path encrypted = dir.resolve("encrypted.key");
        openssl("pkcs8", "-topk8", "-in", ec.key().toString(), "-passout", "pass:x", "-out", encrypted.toString());
        msg = assertThrows(IllegalStateException.class, () -> Tls.pem(ec.cert(), encrypted))
                .getMessage();
        assertTrue(msg.startsWith("the private key file " + encrypted + " is encrypted"), msg);

        Path broken = dir.resolve("broken.crt");
        Files.writeString(broken, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        msg = assertThrows(IllegalStateException.class, () -> Tls.pem(broken, ec.key()))
                .getMessage();
        assertTrue(msg.startsWith("the certificate file " + broken + " holds a broken certificate"), msg);

        if (!"root".equals(System.getProperty("user.name"))) {
            Files.setPosixFilePermissions(ec.key(), PosixFilePermissions.fromString("---------"));
            assertEquals(
                    "cannot read the private key file " + ec.key() + ": permission denied",
                    assertThrows(IllegalStateException.class, () -> Tls.pem(ec.cert(), ec.key()))
                            .getMessage());
        }

        Path nop12 = dir.resolve("none.p12");
        assertEquals(
                "cannot read the PKCS#12 file " + nop12 + ": no such file",
                assertThrows(
                                IllegalStateException.class,
                                () -> Tls.serverContext(
                                        new TlsConfig(new TlsConfig.Pkcs12(nop12, Optional.empty(), Optional.empty())),
                                        dir))
                        .getMessage());
    }

    // ---- helpers

    private record Pair(Path cert, Path key) {}

    /** A P-256 key (PEM PKCS#8) and a self-signed certificate for localhost and 127.0.0.1, made by openssl. */
    private Pair ecPair(String name) throws Exception {
        Path key = dir.resolve(name + ".key");
        Path cert = dir.resolve(name + ".crt");
        openssl(
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-days",
                "30",
                "-keyout",
                key.toString(),
                "-out",
                cert.toString());
        assertTrue(Files.readString(key).startsWith("-----BEGIN PRIVATE KEY-----"), "openssl writes PKCS#8");
        return new Pair(cert, key);
    }

    private String openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Curl r = exec(cmd);
        assertEquals(0, r.exit(), "openssl " + String.join(" ", args) + ": " + r);
        return r.out();
    }

    private record Curl(int exit, String out, String err) {}

    private Curl curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-q", "-sS", "-v", "--noproxy", "*", "--max-time", "10"));
        cmd.addAll(List.of(args));
        return exec(cmd);
    }

    private Curl exec(List<String> cmd) throws Exception {
        ProcessBuilder pb =
                new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment()
                .keySet()
                .removeIf(k -> k.toLowerCase(java.util.Locale.ROOT).contains("proxy"));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not finish");
        }
        return new Curl(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static Set<String> names(Path d) throws IOException {
        try (var s = Files.list(d)) {
            return new TreeSet<>(s.map(p -> p.getFileName().toString()).toList());
        }
    }

    private static Set<String> sans(X509Certificate c) throws Exception {
        Set<String> out = new TreeSet<>();
        for (List<?> san : c.getSubjectAlternativeNames()) {
            out.add((String) san.get(1));
        }
        return out;
    }

    /**
     * A tiny HTTPS server the way the admin listener will be: the context's handler first, then HTTP/1.1.
     * Answers "ok METHOD URI"; failed handshakes are kept for the test.
     */
    private static final class Server implements AutoCloseable {
        final LinkedBlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();
        private final EventLoopGroup group;
        private final Channel channel;

        Server(SslContext tls) throws InterruptedException {
            Transport t = Transport.detect();
            group = t.group(1);
            channel = new ServerBootstrap()
                    .group(group)
                    .channel(t.server())
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline()
                                    .addLast("tls", tls.newHandler(ch.alloc()))
                                    .addLast(new ChannelInboundHandlerAdapter() {
                                        @Override
                                        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                            if (evt instanceof SslHandshakeCompletionEvent e && !e.isSuccess()) {
                                                failures.add(e.cause());
                                            }
                                            ctx.fireUserEventTriggered(evt);
                                        }

                                        @Override
                                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                            ctx.close();
                                        }
                                    })
                                    .addLast(new HttpServerCodec())
                                    .addLast(new HttpObjectAggregator(8192))
                                    .addLast(new SimpleChannelInboundHandler<FullHttpRequest>() {
                                        @Override
                                        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                            FullHttpResponse r = new DefaultFullHttpResponse(
                                                    HttpVersion.HTTP_1_1,
                                                    HttpResponseStatus.OK,
                                                    Unpooled.copiedBuffer(
                                                            "ok " + req.method() + " " + req.uri() + "\n",
                                                            StandardCharsets.UTF_8));
                                            r.headers()
                                                    .set(
                                                            HttpHeaderNames.CONTENT_LENGTH,
                                                            r.content().readableBytes());
                                            r.headers().set(HttpHeaderNames.CONNECTION, "close");
                                            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
                                        }
                                    });
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0))
                    .sync()
                    .channel();
        }

        int port() {
            return ((InetSocketAddress) channel.localAddress()).getPort();
        }

        @Override
        public void close() {
            channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            Transport.shutdown(group);
        }
    }
}
