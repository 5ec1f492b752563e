#!/bin/bash
# The live Secure Boot check, failing for real on a real host: a SECURE
# VM is deployed stopped on the fleet's Secure Boot host, then its
# definition on the host is changed behind bootdeck's back (as an operator
# with virsh might: Secure Boot firmware feature off, SMM removed).
# startVirtualMachine boots it under TCG; bootdeck must read the live
# definition, find the missing pieces, stop the guest, mark the VM Error
# and raise an alert naming what is missing. A control VM deployed and
# started untouched must pass the same check and run.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_state()
{
	rel_sql "SELECT state FROM vms WHERE name = '$1';"
}

dom_state()
{
	virsh -q -c "$FLEET_FULL_URI" domstate "$1" 2>/dev/null | sed '/^$/d'
}

rel_setup
rel_fleet_up
rel_bd_ok createCluster name=sb
rel_bd_ok addHost clusterid=sb name=sbhost url="$FLEET_FULL_URI" virttype=qemu
rel_blank_template
rel_bd_ok createServiceOffering name=small cpunumber=1 memory=256

# Control: an untouched SECURE guest passes the live check.
rel_bd_ok deployVirtualMachine name=sbok templateid=blank serviceofferingid=small \
	boottype=UEFI bootmode=SECURE
check "untouched SECURE VM Running" "$(vm_state sbok)" Running
check "untouched SECURE guest running" "$(dom_state sbok)" running

rel_bd_ok deployVirtualMachine name=sbbad templateid=blank serviceofferingid=small \
	boottype=UEFI bootmode=SECURE startvm=false
check "stopped SECURE VM deployed" "$(vm_state sbbad)" Stopped

# Behind bootdeck's back: the same guest without Secure Boot.
virsh -q -c "$FLEET_FULL_URI" dumpxml --inactive sbbad >"$REL_DIR/sbbad.xml"
python3 - "$REL_DIR/sbbad.xml" <<'EOF'
import sys
import xml.etree.ElementTree as ET
path = sys.argv[1]
tree = ET.parse(path)
dom = tree.getroot()
os_el = dom.find("os")
for feature in os_el.iter("feature"):
    feature.set("enabled", "no")
loader = os_el.find("loader")
if loader is not None:
    os_el.remove(loader)
nvram = os_el.find("nvram")
if nvram is not None:
    os_el.remove(nvram)
features = dom.find("features")
smm = features.find("smm") if features is not None else None
if smm is not None:
    features.remove(smm)
tree.write(path)
EOF
virsh -q -c "$FLEET_FULL_URI" undefine --nvram sbbad >/dev/null
virsh -q -c "$FLEET_FULL_URI" define "$REL_DIR/sbbad.xml" >/dev/null

al=$(rel_sql "SELECT coalesce(max(id), 0) FROM alerts;")
set +e
rel_bd startVirtualMachine id=sbbad
status=$?
set -e
check "start of the tampered VM fails" "$status" 1
check "the error names the missing Secure Boot loader" \
	"$(grep -c 'missing a Secure Boot loader' <<<"$REL_OUT" || true)" 1
check "the error names the missing SMM" \
	"$(grep -c 'System Management Mode' <<<"$REL_OUT" || true)" 1
check "tampered VM marked Error, never Running" "$(vm_state sbbad)" Error
check "tampered guest stopped on the host" "$(dom_state sbbad)" "shut off"
check "an alert names the missing pieces" \
	"$(rel_sql "SELECT count(*) FROM alerts WHERE id > $al AND instr(description, 'sbbad') > 0 AND instr(description, 'missing a Secure Boot loader') > 0;")" 1
check "the control VM still runs" "$(dom_state sbok)" running

for vm in sbok sbbad; do
	rel_bd destroyVirtualMachine id="$vm" expunge=true || true
done
echo "SECURE_FIGURES tampered_starts=1 caught=$([ "$failures" -eq 0 ] && echo 1 || echo 0) failures=$failures"
[ "$failures" -eq 0 ]
