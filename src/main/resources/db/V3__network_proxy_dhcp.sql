-- proxyDHCP networks: another DHCP server owns the addresses; Anvil answers PXE clients' boot question only.
ALTER TABLE networks ADD COLUMN proxy_dhcp BOOLEAN DEFAULT FALSE NOT NULL;
