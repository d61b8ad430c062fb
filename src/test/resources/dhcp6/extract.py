#!/usr/bin/env python3
"""Prints, for each UDP packet in a pcap (Ethernet, IPv6 without extension headers), its index, time, ports,
the DHCPv6 message type and the UDP payload as hex; with -o DIR NAME=INDEX ..., writes the payloads as .hex files
(64 hex characters per line)."""
import struct, sys
def packets(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic, = struct.unpack('<I', data[:4])
    assert magic == 0xa1b2c3d4, hex(magic)
    assert struct.unpack('<I', data[20:24])[0] == 1, 'Ethernet link type'
    off, i = 24, 0
    while off < len(data):
        sec, usec, incl, orig = struct.unpack('<IIII', data[off:off + 16])
        frame = data[off + 16: off + 16 + incl]
        off += 16 + incl
        assert incl == orig, 'truncated capture'
        assert frame[12:14] == b'\x86\xdd', 'IPv6'
        ip = frame[14:]
        assert ip[6] == 17, 'UDP right after the IPv6 header'
        plen, = struct.unpack('!H', ip[4:6])
        udp = ip[40:40 + plen]
        sport, dport, ulen = struct.unpack('!HHH', udp[:6])
        yield i, sec + usec / 1e6, sport, dport, udp[8:ulen]
        i += 1
args = sys.argv[1:]
pcap = args.pop(0)
pk = list(packets(pcap))
if args and args[0] == '-o':
    out = args[1]
    for spec in args[2:]:
        name, idx = spec.split('=')
        h = pk[int(idx)][4].hex()
        with open(f'{out}/{name}.hex', 'w') as f:
            f.write(''.join(h[j:j + 64] + '\n' for j in range(0, len(h), 64)))
else:
    for i, t, sp, dp, p in pk:
        print(i, '%.3f' % t, sp, dp, 'type', p[0], len(p), p.hex())
