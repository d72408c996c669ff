#!/usr/bin/env bash
# Installing: `make install` into a DESTDIR (the files, pkg-config for a
# shared and a static link, the command, examples/plan.c built and run
# against it), the man pages (no groff warning, every option of the command
# in kexec(8), every function of <libkexec.h> in libkexec(3)), the bash
# completion, and the Debian packages: built with
# dpkg-buildpackage from a copy of the tree, installed into a clean root of this
# machine's release (mmdebstrap, cached) beside kexec-tools, whose kexec they divert.
#
# Prints PASS: / FAIL: / SKIP: lines (tests/run-checks.sh counts them).
# Usage: tests/install/run.sh
#   KX_INSTALL_BUILD  the build dir `make install` uses (default build-install)
#   KX_DEBIAN_MIRROR  where mmdebstrap downloads from (default deb.debian.org)
# The root is cached as $(kx_cache_dir)/mmdebstrap/*.tar; without
# it and without the network, the package tests SKIP.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=SCRIPTDIR/../../scripts/apt.sh
. "$top/scripts/apt.sh"

tmp=$(mktemp -d /tmp/kx-install.XXXXXX)
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; }
skip() { echo "SKIP: $1: $2"; }

dest=$tmp/dest
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
libdir=$dest/usr/lib/$multiarch
kexec=$dest/usr/sbin/kexec
man8=$dest/usr/share/man/man8/kexec.8
man3=$dest/usr/share/man/man3/libkexec.3
completion=$dest/usr/share/bash-completion/completions/kexec
# What the installed tree is asked for: the Makefile's own target.
pkgenv=(env "PKG_CONFIG_PATH=$libdir/pkgconfig" "PKG_CONFIG_SYSROOT_DIR=$dest")

# ---- make install ------------------------------------------------------------

if make -C "$top" install DESTDIR="$dest" PREFIX=/usr NINJAFLAGS=-j2 \
	INSTALL_BUILD="${KX_INSTALL_BUILD:-build-install}" >"$tmp/make-install.log" 2>&1; then
	pass "make-install"
else
	fail "make-install" "make install DESTDIR=... PREFIX=/usr failed: $(tail -3 "$tmp/make-install.log" | tr '\n' ' ')"
fi

missing=()
for f in usr/sbin/kexec "usr/lib/$multiarch/libkexec.so.1" "usr/lib/$multiarch/libkexec.so" \
	"usr/lib/$multiarch/libkexec.a" usr/include/libkexec.h \
	"usr/lib/$multiarch/pkgconfig/libkexec.pc" usr/share/man/man8/kexec.8 \
	usr/share/man/man3/libkexec.3 usr/share/bash-completion/completions/kexec; do
	[ -e "$dest/$f" ] || missing+=("$f")
done
if [ ${#missing[@]} -eq 0 ]; then
	pass "installed-files"
else
	fail "installed-files" "not installed: ${missing[*]}"
fi

version=$("$kexec" --version 2>&1)
if [[ $version == *libkexec* ]]; then
	pass "installed-kexec-runs"
else
	fail "installed-kexec-runs" "$kexec --version said: $version"
fi
libversion=${version##* }

# A static link needs libfdt and the decompression libraries, whether the
# .pc names them as Requires.private or as -l flags in Libs.private.
static_libs=$("${pkgenv[@]}" pkg-config --static --libs libkexec 2>&1)
missing=()
for l in -lkexec -lfdt -lz -llzma -lzstd -llz4; do
	[[ " $static_libs " == *" $l "* ]] || missing+=("$l")
done
if [ ${#missing[@]} -eq 0 ]; then
	pass "pkg-config-static-libs"
else
	fail "pkg-config-static-libs" "pkg-config --static --libs libkexec lacks ${missing[*]}: $static_libs"
fi

# A program against the installed tree, as a user builds one.
cat >"$tmp/prog.c" <<'EOF'
#include <stdio.h>
#include <libkexec.h>

int main(void)
{
	struct kexec_ctx *ctx = kexec_ctx_new();
	LIBKEXEC_OPTS(kexec_image_type, t);
	size_t n = kexec_image_type_count(ctx);
	int r = kexec_image_type_get(ctx, 0, &t);

	printf("libkexec %s %s\n", kexec_version(), r == 0 ? t.name : "no formats");
	kexec_ctx_free(ctx);
	return ctx && n && r == 0 ? 0 : 1;
}
EOF
# pkg-config's output is words: split on purpose.
# shellcheck disable=SC2086
if flags=$("${pkgenv[@]}" pkg-config --cflags --libs libkexec 2>"$tmp/pc.err") &&
	cc -o "$tmp/prog" "$tmp/prog.c" $flags 2>"$tmp/cc.err"; then
	out=$(LD_LIBRARY_PATH=$libdir "$tmp/prog" 2>&1)
	if ! readelf -d "$tmp/prog" | grep -q 'NEEDED.*libkexec\.so\.1'; then
		fail "link-shared" "the program does not use libkexec.so.1"
	elif [[ $out != "libkexec $libversion "* ]]; then
		fail "link-shared" "the program said: $out (kexec --version: $version)"
	else
		pass "link-shared"
	fi
else
	fail "link-shared" "$(cat "$tmp/pc.err" "$tmp/cc.err" | head -3 | tr '\n' ' ')"
fi

# shellcheck disable=SC2086
if flags=$("${pkgenv[@]}" pkg-config --static --cflags --libs libkexec 2>"$tmp/pc.err") &&
	cc -static -o "$tmp/prog-static" "$tmp/prog.c" $flags 2>"$tmp/cc.err"; then
	out=$("$tmp/prog-static" 2>&1)
	if readelf -d "$tmp/prog-static" 2>/dev/null | grep -q NEEDED; then
		fail "link-static" "pkg-config --static gave a dynamic program"
	elif [[ $out != "libkexec $libversion "* ]]; then
		fail "link-static" "the program said: $out"
	else
		pass "link-static"
	fi
else
	fail "link-static" "$(cat "$tmp/pc.err" "$tmp/cc.err" | head -3 | tr '\n' ' ')"
fi

# libkexec(3)'s example compiles as printed.
python3 - "$man3" >"$tmp/example.c" <<'EOF'
import re, sys
src = open(sys.argv[1]).read()
for block in re.findall(r'^\.EX\n(.*?)^\.EE', src, flags=re.S | re.M):
    if '#include <libkexec.h>' in block:
        print(block.replace('\\e', '\\').replace('\\-', '-').replace('\\&', ''), end='')
        break
EOF
# shellcheck disable=SC2046 # pkg-config's words
if ! grep -q 'int main' "$tmp/example.c"; then
	fail "man3-example" "no example program in libkexec(3)"
elif cc -Wall -Werror -Wno-unused-parameter -o "$tmp/example" "$tmp/example.c" \
	$("${pkgenv[@]}" pkg-config --cflags --libs libkexec) 2>"$tmp/cc.err"; then
	pass "man3-example"
else
	fail "man3-example" "$(head -3 "$tmp/cc.err" | tr '\n' ' ')"
fi

# examples/plan.c, built as its README says, against the installed library:
# it refuses a file that is no kernel, naming it, with exit status 1; and on
# x86_64, when a Debian kernel is cached (tests/vm fetches them), it plans
# that kernel and loads the plan into the simulated kernel.
plan_kernel=
if [ "$(uname -m)" = x86_64 ]; then
	plan_kernel=$(find "$(kx_cache_dir)" -path '*/linux-image-*-amd64/boot/vmlinuz-*' 2>/dev/null |
		sort -V | tail -n 1)
fi
printf 'not a kernel\n' >"$tmp/not-a-kernel"
printf 'an initrd\n' >"$tmp/initrd"
# shellcheck disable=SC2046 # pkg-config's words
if ! cc -Wall -Wextra -Werror -o "$tmp/plan" "$top/examples/plan.c" \
	$("${pkgenv[@]}" pkg-config --cflags --libs libkexec) 2>"$tmp/cc.err"; then
	fail "example-plan" "$(head -3 "$tmp/cc.err" | tr '\n' ' ')"
else
	why=
	readelf -d "$tmp/plan" | grep -q 'NEEDED.*libkexec\.so\.1' || why+="it does not use libkexec.so.1; "
	out=$(LD_LIBRARY_PATH=$libdir "$tmp/plan" "$tmp/not-a-kernel" 2>&1)
	rc=$?
	[ "$rc" -eq 1 ] || why+="exit status $rc on a file that is no kernel; "
	[[ $out == *"$tmp/not-a-kernel"* ]] || why+="its refusal does not name the file: $out; "
	if [ -n "$plan_kernel" ]; then
		out=$(LD_LIBRARY_PATH=$libdir "$tmp/plan" "$plan_kernel" "$tmp/initrd" "console=ttyS0 quiet" 2>&1)
		rc=$?
		[ "$rc" -eq 0 ] || why+="exit status $rc on $plan_kernel: $out; "
		grep -q ": bzImage ${plan_kernel##*/vmlinuz-}\$" <<<"$out" || why+="no format and version in: $out; "
		grep -qx 'command line: "console=ttyS0 quiet"' <<<"$out" || why+="no command line in: $out; "
		grep -q '^loaded' <<<"$out" || why+="not loaded: $out; "
	fi
	if [ -n "$why" ]; then
		fail "example-plan" "$why"
	else
		pass "example-plan"
	fi
fi

# ---- man pages -----------------------------------------------------------------

for page in "$man8" "$man3"; do
	name=$(basename "$page")
	if [ ! -f "$page" ]; then
		fail "man-render-$name" "not installed"
		continue
	fi
	warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >"$tmp/$name.txt")
	if [ -n "$warnings" ]; then
		fail "man-render-$name" "$(echo "$warnings" | head -3 | tr '\n' ' ')"
	elif [ "$(wc -l <"$tmp/$name.txt")" -lt 50 ]; then
		fail "man-render-$name" "renders to $(wc -l <"$tmp/$name.txt") lines only"
	else
		pass "man-render-$name"
	fi
done

# Every option the command accepts (tools/options.c's tables, and whatever
# --help names) is in kexec(8): the page cannot fall behind silently.
help=$("$kexec" --help 2>&1)
python3 - "$top/tools/options.c" "$top/docs/kexec.8" "$help" >"$tmp/opts.out" <<'EOF'
import re, sys
opts_c, page, helptext = open(sys.argv[1]).read(), open(sys.argv[2]).read(), sys.argv[3]
longs = set(re.findall(r'\{\s*"([a-z0-9][a-z0-9-]*)",\s*(?:no|required|optional)_argument', opts_c))
longs |= {o for o in re.findall(r'--([a-z0-9][a-z0-9-]*)', helptext) if not o.endswith('-')}
m = re.search(r'short_options\[\]\s*=\s*"([^"]*)"', opts_c)
shorts = set(re.sub(r'[^A-Za-z]', '', m.group(1))) if m else set()
text = page.replace('\\-', '-')
missing = sorted('--' + o for o in longs
                 if not re.search(r'(?<![A-Za-z0-9-])--' + re.escape(o) + r'(?![a-z0-9-])', text))
missing += sorted('-' + c for c in shorts
                  if not re.search(r'(?<![A-Za-z0-9-])-' + c + r'(?![A-Za-z0-9-])', text))
# What the page lists as refused must be what --help lists under "Refused",
# so that an option the command starts to honour leaves that list.
entry = re.compile(r'^ {0,8}(?:-[A-Za-z], )?(--[a-z0-9][a-z0-9=,\s-]*?)(?: {2,}|$)', re.M)
def names(lines):   # the options an entry names (not those its text mentions)
    return {o for l in lines for o in re.findall(r'--([a-z0-9][a-z0-9-]*)', l)}
sec = re.search(r'^\.SS Options of kexec-tools that are refused\n(.*?)^\.S[HS] ', page, re.S | re.M)
tags = re.findall(r'^\.TP\n(.*)$', sec.group(1), re.M) if sec else []
page_refused = names(t.replace('\\-', '-') for t in tags)
h = re.split(r'^Refused.*$', helptext, maxsplit=1, flags=re.M)
help_ok = names(m.group(1) for m in entry.finditer(h[0]))
help_refused = names(m.group(1) for m in entry.finditer(h[1].split('\n\n')[0])) if len(h) > 1 else set()
missing += ['--%s(not listed as refused)' % o for o in sorted(help_refused - page_refused)]
missing += ['--%s(listed as refused, honoured by --help)' % o
            for o in sorted((page_refused - help_refused) & help_ok)]
print(len(longs) + len(shorts), ' '.join(missing))
EOF
read -r nopts missing_opts <"$tmp/opts.out"
if [ "${nopts:-0}" -lt 40 ]; then
	fail "man8-every-option" "found only ${nopts:-0} options in tools/options.c and --help"
elif [ -n "$missing_opts" ]; then
	fail "man8-every-option" "kexec(8) does not mention $missing_opts"
else
	pass "man8-every-option"
fi

# Every function <libkexec.h> declares is in libkexec(3), in the synopsis and
# described below it.
python3 - "$top/include/libkexec.h" "$top/docs/libkexec.3" >"$tmp/funcs.out" <<'EOF'
import re, sys
h = re.sub(r'/\*.*?\*/', '', open(sys.argv[1]).read(), flags=re.S)
h = re.sub(r'\\\n', '', h)
h = re.sub(r'^#.*$', '', h, flags=re.M)
funcs = set(re.findall(r'\b(kexec_[a-z0-9_]+)\s*\([^()]*\)\s*;', h))
page = open(sys.argv[2]).read().replace('\\%', '')
missing = sorted(f for f in funcs
                 if len(re.findall(r'(?<![a-z0-9_])' + f + r'(?![a-z0-9_])', page)) < 2)
print(len(funcs), ' '.join(missing))
EOF
read -r nfuncs missing_funcs <"$tmp/funcs.out"
if [ "${nfuncs:-0}" -lt 50 ]; then
	fail "man3-every-function" "found only ${nfuncs:-0} functions in include/libkexec.h"
elif [ -n "$missing_funcs" ]; then
	fail "man3-every-function" "libkexec(3) does not cover $missing_funcs"
else
	pass "man3-every-function"
fi

# ---- bash completion -------------------------------------------------------------

# Complete as bash-completion would, with the installed kexec first in PATH.
complete_words() { # WORD... (the last one is being completed)
	PATH="$dest/usr/sbin:$PATH" bash -c '
		source /usr/share/bash-completion/bash_completion || exit 2
		source "$0" || exit 2
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_kexec kexec "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"' "$completion" "$@" 2>&1
}
if [ ! -f /usr/share/bash-completion/bash_completion ]; then
	skip "completion" "bash-completion is not installed"
elif [ ! -f "$completion" ]; then
	fail "completion" "not installed"
else
	c_init=$(complete_words kexec --ini)
	c_all=$(complete_words kexec --)
	c_type=$(complete_words kexec -t '')
	c_file=$(cd "$tmp" && complete_words kexec --initrd pro)
	if [ "$c_init" != "--initrd=" ]; then
		fail "completion" "--ini completes to: $c_init"
	elif ! grep -qx -- --dry-run <<<"$c_all" || ! grep -qx -- --load-panic <<<"$c_all" ||
		grep -qx -- --real-mode <<<"$c_all"; then
		fail "completion" "-- completes to: $(tr '\n' ' ' <<<"$c_all")"
	elif ! grep -qx bzImage <<<"$c_type" && ! grep -qx Image <<<"$c_type"; then
		fail "completion" "-t completes to: $(tr '\n' ' ' <<<"$c_type")"
	elif ! grep -qx prog.c <<<"$c_file"; then
		fail "completion" "--initrd completes to: $(tr '\n' ' ' <<<"$c_file")"
	else
		pass "completion"
	fi
fi

# ---- Debian packages -----------------------------------------------------------

meson_version=$(sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" "$top/meson.build" | head -1)
deb_version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version 2>/dev/null)
if [ -n "$meson_version" ] && [ "${deb_version%%-*}" = "$meson_version" ]; then
	pass "deb-version"
else
	fail "deb-version" "debian/changelog says ${deb_version:-nothing}, meson.build $meson_version (add a changelog entry: dch -v $meson_version)"
fi

# Build in a copy of the tree (what git tracks, and new files it does not
# ignore), so that the working tree stays clean.
debs=$tmp/debs
mkdir -p "$debs/src"
built=0
if ! (cd "$top" && git ls-files -z --cached --others --exclude-standard |
	tar --null -T - -cf - 2>/dev/null) | tar -C "$debs/src" -xf - 2>"$tmp/copy.err"; then
	fail "deb-build" "cannot copy the tree: $(head -2 "$tmp/copy.err" | tr '\n' ' ')"
elif (cd "$debs/src" && DEB_BUILD_OPTIONS="nocheck parallel=2" \
	dpkg-buildpackage -b -us -uc >"$tmp/deb-build.log" 2>&1); then
	contents() { dpkg-deb -c "$1" | awk '{ print $6 }' | sed 's|^\./|/|'; }
	deb() { find "$debs" -maxdepth 1 -name "$1_*.deb" | head -1; }
	k=$(deb kexec-ng)
	l=$(deb libkexec1)
	d=$(deb libkexec-dev)
	why=
	if [ -z "$k" ] || [ -z "$l" ] || [ -z "$d" ]; then
		why="packages built: $(cd "$debs" && echo *.deb)"
	else
		for f in /usr/sbin/kexec /usr/share/man/man8/kexec.8.gz /usr/share/bash-completion/completions/kexec; do
			contents "$k" | grep -qx "$f" || why+="kexec-ng lacks $f; "
		done
		contents "$l" | grep -q "/usr/lib/$multiarch/libkexec\.so\.1" || why+="libkexec1 lacks libkexec.so.1; "
		for f in /usr/include/libkexec.h "/usr/lib/$multiarch/libkexec.a" "/usr/lib/$multiarch/libkexec.so" \
			"/usr/lib/$multiarch/pkgconfig/libkexec.pc" /usr/share/man/man3/libkexec.3.gz; do
			contents "$d" | grep -qx "$f" || why+="libkexec-dev lacks $f; "
		done
	fi
	if [ -n "$why" ]; then
		fail "deb-build" "$why"
	else
		pass "deb-build"
		built=1
	fi
else
	fail "deb-build" "dpkg-buildpackage -b failed: $(grep -m3 -iE 'error|fail' "$tmp/deb-build.log" | tr '\n' ' ')"
fi

# A clean root of this machine's own release (the packages were built against
# its libraries) with kexec-tools and what the packages depend on, made once by
# mmdebstrap and cached as a tarball.
release=$(kx_host_release)
release=${release:-bookworm}
base_pkgs="kexec-tools,libfdt1,zlib1g,liblzma5,libzstd1,liblz4-1,linux-libc-dev"
base_pkgs+=",libfdt-dev,zlib1g-dev,liblzma-dev,libzstd-dev,liblz4-dev,pkg-config"
cache=$(kx_cache_dir)/mmdebstrap
base=$cache/$release-apt-$(printf '%s' "$base_pkgs" | sha1sum | cut -c1-12).tar
base_root() {
	[ -f "$base" ] && [ -s "$base" ] && return 0
	if ! command -v mmdebstrap >/dev/null; then
		skip "deb-install" "mmdebstrap is not installed (scripts/install-deps.sh package)"
		return 1
	fi
	mkdir -p "$cache"
	# The customize hook keeps kexec-tools' .deb, to install it again after
	# ours ($1 is mmdebstrap's, the root being made).
	# shellcheck disable=SC2016
	if mmdebstrap --variant=apt --mode=root --include="$base_pkgs" \
		--customize-hook='cp "$1"/var/cache/apt/archives/kexec-tools_*.deb "$1"/root/' \
		"$release" "${base%.tar}.part.tar" "${KX_DEBIAN_MIRROR:-http://deb.debian.org/debian}" \
		>"$tmp/mmdebstrap.log" 2>&1; then
		mv "${base%.tar}.part.tar" "$base"
		return 0
	fi
	rm -f "${base%.tar}.part.tar"
	if ! timeout 10 bash -c 'exec 3<>/dev/tcp/deb.debian.org/80' 2>/dev/null; then
		skip "deb-install" "no cached Debian $release root ($base) and deb.debian.org is unreachable"
	else
		fail "deb-install" "mmdebstrap failed: $(tail -3 "$tmp/mmdebstrap.log" | tr '\n' ' ')"
	fi
	return 1
}

if [ "$built" -ne 1 ]; then
	skip "deb-install" "no packages were built"
elif [ "$(id -u)" -ne 0 ]; then
	skip "deb-install" "needs root (mmdebstrap --mode=root, chroot)"
elif base_root; then
	root=$tmp/root
	mkdir -p "$root"
	tar -C "$root" -xf "$base"
	cp "$k" "$l" "$d" "$root/tmp/"
	inroot() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C "$@"; }
	why=
	if ! inroot dpkg -i /tmp/"$(basename "$k")" /tmp/"$(basename "$l")" /tmp/"$(basename "$d")" \
		>"$tmp/dpkg-i.log" 2>&1; then
		why="dpkg -i failed: $(grep -m3 -iE 'error|depend' "$tmp/dpkg-i.log" | tr '\n' ' ')"
	fi
	if [ -z "$why" ]; then
		v=$(inroot kexec --version 2>&1)
		[[ $v == "kexec (libkexec) "* ]] || why+="kexec --version in the root said: $v; "
		v=$(inroot /sbin/kexec --version 2>&1)
		[[ $v == "kexec (libkexec) "* ]] || why+="/sbin/kexec is not ours: $v; "
		v=$(inroot /usr/sbin/kexec.kexec-tools --version 2>&1)
		[[ $v == kexec-tools* ]] || why+="kexec-tools' kexec is not at kexec.kexec-tools: $v; "
		n=$(inroot dpkg-divert --list | grep -c 'by kexec-ng$')
		[ "$n" = 3 ] || why+="$n diversions by kexec-ng, not 3; "
		inroot sh -c 'zcat /usr/share/man/man8/kexec.8.gz | grep -q libkexec' || why+="kexec(8) is not ours; "
		inroot pkg-config --exists libkexec || why+="pkg-config libkexec fails in the root; "
		inroot pkg-config --static --libs libkexec >/dev/null 2>&1 || why+="pkg-config --static libkexec fails in the root; "
	fi
	if [ -z "$why" ]; then
		pass "deb-install"
	else
		fail "deb-install" "$why"
	fi

	# Removing it gives kexec-tools its kexec back; installing kexec-tools
	# after it leaves ours in place.
	why=
	inroot dpkg -r kexec-ng >"$tmp/dpkg-r.log" 2>&1 || why+="dpkg -r kexec-ng failed; "
	v=$(inroot kexec --version 2>&1)
	[[ $v == kexec-tools* ]] || why+="after removal kexec is: $v; "
	inroot dpkg-divert --list | grep -q kexec && why+="diversions left after removal; "
	inroot dpkg --verify kexec-tools >/dev/null 2>&1 || why+="kexec-tools' files changed; "
	inroot dpkg -r kexec-tools >/dev/null 2>&1 || why+="dpkg -r kexec-tools failed; "
	inroot dpkg -i /tmp/"$(basename "$k")" >/dev/null 2>&1 || why+="dpkg -i kexec-ng without kexec-tools failed; "
	inroot sh -c 'dpkg -i /root/kexec-tools_*.deb' >/dev/null 2>&1 || why+="dpkg -i kexec-tools after kexec-ng failed; "
	v=$(inroot kexec --version 2>&1)
	[[ $v == "kexec (libkexec) "* ]] || why+="after installing kexec-tools, kexec is: $v; "
	inroot dpkg --verify kexec-ng kexec-tools >/dev/null 2>&1 || why+="dpkg --verify fails; "
	if [ -z "$why" ]; then
		pass "deb-divert-kexec-tools"
	else
		fail "deb-divert-kexec-tools" "$why"
	fi
fi
