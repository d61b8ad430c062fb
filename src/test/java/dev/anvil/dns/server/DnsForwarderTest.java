package dev.anvil.dns.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.config.HostPort;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The forwarder against a stand-in upstream on loopback: answers are taken only from that upstream, with the
 * ID sent and the same question; source ports differ per query; at most {@code maxPending} are upstream.
 */
class DnsForwarderTest {
    final EventLoopGroup group = new NioEventLoopGroup(1);
    final DnsCounters counters = new DnsCounters();
    DatagramSocket upstream;

    @AfterEach
    void tearDown() {
        if (upstream != null) {
            upstream.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    static byte[] query(String name, int id) throws Exception {
        Message m = Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN));
        m.getHeader().setID(id);
        return m.toWire();
    }

    DnsForwarder forwarder(int timeoutMillis, int maxPending) throws Exception {
        upstream = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        upstream.setSoTimeout(3000);
        DnsForwarder f = new DnsForwarder(
                List.of(new HostPort("127.0.0.1", upstream.getLocalPort())), timeoutMillis, maxPending, counters);
        f.start(group, NioDatagramChannel.class);
        return f;
    }

    /** Receives one query upstream and sends back {@code edit} of a NOERROR answer to it; returns the sender. */
    InetSocketAddress answer(UnaryOperator<byte[]> edit) throws Exception {
        DatagramPacket in = new DatagramPacket(new byte[512], 512);
        upstream.receive(in);
        Message q = new Message(java.util.Arrays.copyOf(in.getData(), in.getLength()));
        Message a = new Message(q.getHeader().getID());
        a.getHeader().setFlag(org.xbill.DNS.Flags.QR);
        a.addRecord(q.getQuestion(), org.xbill.DNS.Section.QUESTION);
        a.addRecord(
                new org.xbill.DNS.ARecord(q.getQuestion().getName(), DClass.IN, 60, InetAddress.getByName("192.0.2.7")),
                org.xbill.DNS.Section.ANSWER);
        byte[] out = edit.apply(a.toWire());
        upstream.send(new DatagramPacket(out, out.length, in.getSocketAddress()));
        return (InetSocketAddress) in.getSocketAddress();
    }

    @Test
    void theRightAnswerComesBackWithTheClientsId() throws Exception {
        DnsForwarder f = forwarder(2000, 8);
        LinkedBlockingQueue<byte[]> got = new LinkedBlockingQueue<>();
        f.forward(query("example.org.", 0x1234), got::add);
        answer(b -> b);
        Message m = new Message(got.poll(3, TimeUnit.SECONDS));
        assertEquals(0x1234, m.getHeader().getID());
        assertEquals(Rcode.NOERROR, m.getRcode());
        assertEquals(
                "192.0.2.7", m.getSection(org.xbill.DNS.Section.ANSWER).get(0).rdataToString());
        assertEquals(0, f.inFlight());
    }

    @Test
    void anAnswerWithAnotherIdOrQuestionIsDroppedAndTheClientGetsServfail() throws Exception {
        DnsForwarder f = forwarder(400, 8);
        LinkedBlockingQueue<byte[]> got = new LinkedBlockingQueue<>();
        f.forward(query("example.org.", 7), got::add);
        answer(b -> {
            b[1] ^= 1; // another ID: a spoofer's guess
            return b;
        });
        f.forward(query("example.net.", 8), got::add);
        answer(b -> {
            b[12 + 1 + 7] = 'c'; // "example.net" answered as "example.cet": not our question
            return b;
        });
        byte[] first = got.poll(3, TimeUnit.SECONDS);
        byte[] second = got.poll(3, TimeUnit.SECONDS);
        assertEquals(Rcode.SERVFAIL, new Message(first).getRcode());
        assertEquals(Rcode.SERVFAIL, new Message(second).getRcode());
        assertEquals(2, counters.forwardDropped.sum());
        assertEquals(2, counters.forwardTimeouts.sum());
    }

    @Test
    void everyQueryLeavesFromItsOwnPort() throws Exception {
        DnsForwarder f = forwarder(2000, 64);
        LinkedBlockingQueue<byte[]> got = new LinkedBlockingQueue<>();
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            f.forward(query("n" + i + ".example.org.", i), got::add);
            ports.add(answer(b -> b).getPort());
        }
        for (int i = 0; i < 20; i++) {
            assertEquals(Rcode.NOERROR, new Message(got.poll(3, TimeUnit.SECONDS)).getRcode());
        }
        assertTrue(ports.size() >= 18, "source ports: " + ports);
    }

    @Test
    void aFloodBeyondTheCapGetsServfailAtOnceAndHoldsNothing() throws Exception {
        DnsForwarder f = forwarder(500, 4);
        LinkedBlockingQueue<byte[]> got = new LinkedBlockingQueue<>();
        for (int i = 0; i < 1000; i++) {
            f.forward(query("flood" + i + ".example.org.", i), got::add);
            assertTrue(f.inFlight() <= 4);
        }
        assertEquals(996, counters.forwardOverload.sum());
        for (int i = 0; i < 1000; i++) {
            assertEquals(Rcode.SERVFAIL, new Message(got.poll(3, TimeUnit.SECONDS)).getRcode());
        }
        assertEquals(0, f.inFlight(), "the 4 upstream timed out and were released");
        assertFalse(got.poll(200, TimeUnit.MILLISECONDS) != null, "one answer per query");
    }

    @Test
    void questionEndRefusesPointersAndShortMessages() throws Exception {
        byte[] q = query("a.example.", 1);
        assertEquals(q.length, DnsForwarder.questionEnd(q));
        assertEquals(-1, DnsForwarder.questionEnd(java.util.Arrays.copyOf(q, q.length - 1)));
        byte[] ptr = q.clone();
        ptr[12] = (byte) 0xc0;
        assertEquals(-1, DnsForwarder.questionEnd(ptr));
        assertArrayEquals(new byte[0], java.util.Arrays.copyOf(new byte[0], 0));
    }
}
