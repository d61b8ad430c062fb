-- Anvil's own IPv4 address on a network: DHCP server identifier, next-server, DNS server handed out.
ALTER TABLE networks ADD COLUMN server_address VARCHAR(15);
