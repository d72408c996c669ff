# shellcheck shell=bash
# scripts/apt.sh - apt-get as the project uses it; sourced by
# scripts/install-deps.sh, scripts/build-cross.sh and tests/vm/lib.sh.
#
#   kx_apt ARGS...             apt-get ARGS, waiting up to 10 minutes for the
#                              dpkg lock instead of failing, retried once
#   kx_apt_download DIR PKG... apt-get download PKG... into DIR (retried once)
#   kx_apt_ensure_arch ARCH    dpkg --add-architecture ARCH (then apt-get
#                              update) when ARCH is neither native nor added
#   kx_cache_dir               the project's download cache
#                              (${LIBKEXEC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/libkexec})
#   kx_cached_deb DIR PKG ARCH the newest DIR/PKG_*_ARCH.deb, or nothing
#   kx_release_apt REL ARCH    set KX_RELEASE_OPTS to apt options for an apt
#                              state of its own holding Debian REL's ARCH index
#                              (KX_RELEASE_DIR), updated at most once a day
#   kx_trixie_apt ARCH         the same for trixie, in KX_TRIXIE_OPTS/_DIR
#   kx_host_release            this machine's codename
#
# Only apt-get and dpkg, already on every Debian machine, are used.

kx_cache_dir() {
	printf '%s\n' "${LIBKEXEC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/libkexec}"
}

# kx_apt ARGS...: apt-get ARGS with the dpkg lock waited for (another apt-get
# or unattended-upgrades may hold it), and one retry after a failure (a
# mirror that hiccups, a lock taken between two steps).
kx_apt() {
	local rc=0
	apt-get -o DPkg::Lock::Timeout=600 "$@" && return 0 || rc=$?
	echo "apt: apt-get $* failed (exit status $rc); retrying once" >&2
	sleep 3
	apt-get -o DPkg::Lock::Timeout=600 "$@"
}

# kx_apt_download DIR PKG...: download the .debs of PKG... (PKG may be
# name:arch or name=version) into DIR without installing anything.
kx_apt_download() {
	local dir=$1
	shift
	mkdir -p "$dir"
	# apt-get download writes into the current directory; as root it warns
	# that the download is unsandboxed, which is harmless.
	(cd "$dir" && kx_apt download -q "$@")
}

# kx_apt_ensure_arch ARCH: make apt know ARCH's packages (apt-get download
# PKG:ARCH needs it). Adding an architecture installs nothing.
kx_apt_ensure_arch() {
	local arch=$1
	[[ $(dpkg --print-architecture) == "$arch" ]] && return 0
	dpkg --print-foreign-architectures | grep -qx "$arch" && return 0
	if [[ $(id -u) -ne 0 ]]; then
		echo "apt: dpkg architecture $arch is missing (as root: dpkg --add-architecture $arch && apt-get update)" >&2
		return 1
	fi
	echo "apt: adding dpkg architecture $arch" >&2
	dpkg --add-architecture "$arch" && kx_apt update -qq
}

# kx_cached_deb DIR PKG ARCH: the newest DIR/PKG_<version>_ARCH.deb, if any.
kx_cached_deb() {
	find "$1" -maxdepth 1 -name "${2}_*_${3}.deb" 2>/dev/null | sort -V | tail -n 1
}

# kx_release_apt RELEASE ARCH: set KX_RELEASE_OPTS to apt-get/apt-cache
# options that read and write an apt state of its own in
# $(kx_cache_dir)/RELEASE-ARCH (KX_RELEASE_DIR): Debian RELEASE's (bookworm,
# trixie; trixie-backports) ARCH index (main, and security for a release), signed by Debian's archive keys,
# without touching the host's sources, lists or dpkg architectures. The
# index (10 to 20 MB) is downloaded when it is missing or more than a day
# old; a failed update keeps the old one (offline, whatever .debs are cached
# still serve). Returns 1 when there is no index at all. The tests use it
# for what belongs to a release whatever the host runs (Debian 12's kernels
# on a Debian 13 host, Debian 13's riscv64 port anywhere).
kx_release_apt() {
	local release=$1 arch=$2 d
	d=$(kx_cache_dir)/$release-$arch
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/etc/apt.conf.d" \
		"$d/etc/preferences.d" "$d/etc/sources.list.d"
	[[ -f $d/status ]] || : >"$d/status"
	if [[ ! -f $d/etc/sources.list ]]; then
		echo "deb [arch=$arch signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $release main" >"$d/etc/sources.list"
		# A backports suite has no security suite of its own.
		[[ $release == *-backports ]] ||
			echo "deb [arch=$arch signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security $release-security main" >>"$d/etc/sources.list"
	fi
	KX_RELEASE_OPTS=(-o "Dir::Etc=$d/etc" -o "Dir::Etc::SourceList=$d/etc/sources.list"
		-o "Dir::Etc::SourceParts=$d/etc/sources.list.d" -o "Dir::Etc::Parts=$d/etc/apt.conf.d"
		-o "Dir::Etc::PreferencesParts=$d/etc/preferences.d"
		-o Dir::Etc::Trusted=/etc/apt/trusted.gpg -o Dir::Etc::TrustedParts=/etc/apt/trusted.gpg.d
		-o "Dir::State::Lists=$d/lists" -o "Dir::State::status=$d/status" -o "Dir::Cache=$d/cache"
		-o "APT::Architecture=$arch" -o "APT::Architectures::=$arch" -o Acquire::Languages=none)
	# shellcheck disable=SC2034 # for the callers
	KX_RELEASE_DIR=$d
	if [[ -z $(find "$d/lists" -maxdepth 1 -name "*_${release}_main_binary-${arch}_Packages*" -mmin -1440 2>/dev/null | head -n 1) ]]; then
		# One update at a time per state (a cross build and a test may both
		# want it: apt-get would fail on the other's lists lock); the one that
		# waited finds the index fresh and does not download it again.
		{
			flock 9 || true
			if [[ -z $(find "$d/lists" -maxdepth 1 -name "*_${release}_main_binary-${arch}_Packages*" -mmin -1440 2>/dev/null | head -n 1) ]]; then
				kx_apt "${KX_RELEASE_OPTS[@]}" update -qq >"$d/apt-update.log" 2>&1 || true
			fi
		} 9>"$d/update.lock"
	fi
	[[ -n $(find "$d/lists" -maxdepth 1 -name "*_${release}_main_binary-${arch}_Packages*" 2>/dev/null | head -n 1) ]]
}

# kx_trixie_apt ARCH: kx_release_apt trixie ARCH, with its results in
# KX_TRIXIE_OPTS and KX_TRIXIE_DIR.
kx_trixie_apt() {
	local rc=0
	kx_release_apt trixie "$1" || rc=$?
	# shellcheck disable=SC2034 # for the callers
	KX_TRIXIE_OPTS=("${KX_RELEASE_OPTS[@]}")
	# shellcheck disable=SC2034 # for the callers
	KX_TRIXIE_DIR=$KX_RELEASE_DIR
	return "$rc"
}

# kx_host_release: this machine's Debian codename (bookworm, trixie), or nothing.
kx_host_release() {
	(. /etc/os-release 2>/dev/null && printf '%s\n' "${VERSION_CODENAME:-}")
}
