# shellcheck shell=bash
# Sourced by the checks that run kexec as nobody (tests/cli/test-unprivileged.sh,
# tests/valgrind/run.sh).
#
# stage_for_nobody NAME: nobody must reach the binary and the fixtures even
# when the checkout lies in a private directory (a fresh clone under a 0700
# mktemp -d does), so copy $KEXEC and $fixtures into $tmp, make them
# world-readable and point KEXEC and fixtures at the copies. On failure prints
# "FAIL: NAME: ..." and exits 1.
stage_for_nobody() {
	: "${tmp:?}" "${KEXEC:?}" "${fixtures:?}"
	chmod 755 "$tmp"
	if ! cp "$KEXEC" "$tmp/kexec" || ! cp -r "$fixtures" "$tmp/fixtures"; then
		echo "FAIL: $1: cannot stage $KEXEC and the fixtures in $tmp"
		exit 1
	fi
	KEXEC=$tmp/kexec
	fixtures=$tmp/fixtures
	chmod -R a+rX "$tmp/kexec" "$tmp/fixtures"
}
