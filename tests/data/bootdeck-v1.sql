-- A bootdeck database at schema version 1 with a few rows, as 'sqlite3 .dump'
-- wrote it. The store's upgrade test loads it and migrates it to the current
-- version; keep it as is: it stands for databases already in the field.
PRAGMA user_version = 1;
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE clusters (  id TEXT PRIMARY KEY NOT NULL,  name TEXT NOT NULL UNIQUE CHECK (name <> ''),  created INTEGER NOT NULL);
INSERT INTO clusters VALUES('6f1c2a8e-3b7d-4c55-9a0e-1d2f3a4b5c61','c1',1700000000);
CREATE TABLE hosts (  id TEXT PRIMARY KEY NOT NULL,  name TEXT NOT NULL UNIQUE CHECK (name <> ''),  cluster_id TEXT NOT NULL REFERENCES clusters(id) ON DELETE RESTRICT,  url TEXT NOT NULL,  state TEXT NOT NULL,  allocation TEXT NOT NULL,  hypervisor TEXT NOT NULL,  hypervisor_version TEXT NOT NULL DEFAULT '',  arch TEXT NOT NULL DEFAULT '',  cpus INTEGER NOT NULL DEFAULT 0 CHECK (cpus >= 0),  memory_mib INTEGER NOT NULL DEFAULT 0 CHECK (memory_mib >= 0),  uefi_properties TEXT,  last_error TEXT,  created INTEGER NOT NULL);
INSERT INTO hosts VALUES('0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c62','kvm1','6f1c2a8e-3b7d-4c55-9a0e-1d2f3a4b5c61','test:///default','Up','Enabled','KVM','9.0.0','x86_64',8,16384,NULL,NULL,1700000100);
CREATE TABLE host_details (  host_id TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,  name TEXT NOT NULL,  value TEXT NOT NULL,  PRIMARY KEY (host_id, name));
INSERT INTO host_details VALUES('0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c62','host.uefi.enable','true');
INSERT INTO host_details VALUES('0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c62','host.uefi.secure.enable','false');
INSERT INTO host_details VALUES('0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c62','host.uefi.autoselect','false');
INSERT INTO host_details VALUES('0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c62','guest.loader.legacy','/usr/share/OVMF/OVMF_CODE_4M.fd');
CREATE TABLE templates (  id TEXT PRIMARY KEY NOT NULL,  name TEXT NOT NULL UNIQUE CHECK (name <> ''),  url TEXT NOT NULL,  format TEXT NOT NULL,  size_bytes INTEGER NOT NULL DEFAULT 0,  created INTEGER NOT NULL);
INSERT INTO templates VALUES('1b2c3d4e-5f60-4718-9a2b-3c4d5e6f7a83','debian12','/var/lib/bootdeck/debian12.qcow2','QCOW2',2147483648,1700000200);
CREATE TABLE service_offerings (  id TEXT PRIMARY KEY NOT NULL,  name TEXT NOT NULL UNIQUE CHECK (name <> ''),  cpunumber INTEGER NOT NULL CHECK (cpunumber > 0),  memory_mib INTEGER NOT NULL CHECK (memory_mib > 0),  created INTEGER NOT NULL);
INSERT INTO service_offerings VALUES('2c3d4e5f-6071-4829-8b3c-4d5e6f7a8b94','small',2,2048,1700000300);
CREATE TABLE vms (  id TEXT PRIMARY KEY NOT NULL,  name TEXT NOT NULL UNIQUE CHECK (name <> ''),  displayname TEXT NOT NULL DEFAULT '',  state TEXT NOT NULL,  host_id TEXT REFERENCES hosts(id) ON DELETE SET NULL,  cluster_id TEXT REFERENCES clusters(id) ON DELETE SET NULL,  template_id TEXT REFERENCES templates(id) ON DELETE RESTRICT,  offering_id TEXT REFERENCES service_offerings(id) ON DELETE RESTRICT,  cpunumber INTEGER NOT NULL CHECK (cpunumber > 0),  memory_mib INTEGER NOT NULL CHECK (memory_mib > 0),  machine TEXT NOT NULL DEFAULT '',  loader TEXT,  nvram TEXT,  disk TEXT,  console_log TEXT,  placement TEXT,  created INTEGER NOT NULL);
INSERT INTO vms VALUES('3d4e5f60-7182-493a-9c4d-5e6f7a8b9ca5','web1','Web one','Running','0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c62','6f1c2a8e-3b7d-4c55-9a0e-1d2f3a4b5c61','1b2c3d4e-5f60-4718-9a2b-3c4d5e6f7a83','2c3d4e5f-6071-4829-8b3c-4d5e6f7a8b94',2,2048,'q35','/usr/share/OVMF/OVMF_CODE_4M.fd','/var/lib/bootdeck/nvram/web1_VARS.fd','/var/lib/bootdeck/web1.qcow2',NULL,NULL,1700000400);
CREATE TABLE vm_details (  vm_id TEXT NOT NULL REFERENCES vms(id) ON DELETE CASCADE,  name TEXT NOT NULL,  value TEXT NOT NULL,  PRIMARY KEY (vm_id, name),  CHECK (name <> 'boot.type' OR value IN ('BIOS', 'UEFI')),  CHECK (name <> 'boot.mode' OR value IN ('LEGACY', 'SECURE')));
INSERT INTO vm_details VALUES('3d4e5f60-7182-493a-9c4d-5e6f7a8b9ca5','boot.type','UEFI');
INSERT INTO vm_details VALUES('3d4e5f60-7182-493a-9c4d-5e6f7a8b9ca5','boot.mode','LEGACY');
CREATE TABLE events (  id INTEGER PRIMARY KEY AUTOINCREMENT,  created INTEGER NOT NULL,  type TEXT NOT NULL,  level TEXT NOT NULL,  resource_id TEXT NOT NULL DEFAULT '',  description TEXT NOT NULL DEFAULT '');
INSERT INTO events VALUES(1,1700000100,'HOST.ADD','INFO','0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c62','host ''kvm1'' added');
INSERT INTO events VALUES(2,1700000400,'VM.CREATE','INFO','3d4e5f60-7182-493a-9c4d-5e6f7a8b9ca5','VM ''web1'' deployed (UEFI LEGACY)');
DELETE FROM sqlite_sequence;
INSERT INTO sqlite_sequence VALUES('events',2);
CREATE TRIGGER vm_boot_no_update BEFORE UPDATE ON vm_details  WHEN OLD.name IN ('boot.type', 'boot.mode') OR NEW.name IN ('boot.type', 'boot.mode')  BEGIN SELECT RAISE(ABORT, 'boot type and boot mode of a VM are fixed at creation'); END;
CREATE TRIGGER vm_boot_no_delete BEFORE DELETE ON vm_details  WHEN OLD.name IN ('boot.type', 'boot.mode')   AND EXISTS (SELECT 1 FROM vms WHERE id = OLD.vm_id)  BEGIN SELECT RAISE(ABORT, 'boot type and boot mode of a VM are kept while the VM exists'); END;
CREATE TRIGGER vm_boot_no_second BEFORE INSERT ON vm_details  WHEN NEW.name IN ('boot.type', 'boot.mode')   AND EXISTS (SELECT 1 FROM vm_details WHERE vm_id = NEW.vm_id AND name = NEW.name)  BEGIN SELECT RAISE(ABORT, 'a VM has one boot type and one boot mode, set at creation'); END;
CREATE TRIGGER host_keeps_live_vms BEFORE DELETE ON hosts  WHEN EXISTS (SELECT 1 FROM vms WHERE host_id = OLD.id AND state <> 'Expunging')  BEGIN SELECT RAISE(ABORT, 'a host with VMs that are not expunged cannot be deleted'); END;
COMMIT;
