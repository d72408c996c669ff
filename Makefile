# Front door: `make` builds, `make run` is the main job, `make check` runs every test.
BUILD ?= build
MESON_ARGS ?=
# Extra build dirs for the hostile-input checks (scripts/build-variant.sh).
FUZZ_BUILD ?= build-fuzz
ASAN_BUILD ?= build-asan
VALGRIND_BUILD ?= build-valgrind
# The static arm64, riscv64 and 32-bit ARM kexecs for their VM tests (scripts/build-cross.sh).
AARCH64_BUILD ?= build-aarch64
RISCV64_BUILD ?= build-riscv64
ARMHF_BUILD ?= build-armhf
I686_BUILD ?= build-i686
MIPS64EL_BUILD ?= build-mips64el
S390X_BUILD ?= build-s390x
PPC64LE_BUILD ?= build-ppc64le
FUZZ_SECONDS ?= 60
# make install: a build dir of its own, configured for PREFIX (DESTDIR honoured),
# without the unit tests, and with kexec linked dynamically against libc and
# the compression libraries (it carries libkexec itself statically).
PREFIX ?= /usr/local
DESTDIR ?=
INSTALL_BUILD ?= build-install
INSTALL_MESON_ARGS ?= -Dtests=false -Dstatic_kexec=false
NINJAFLAGS ?=

.PHONY: all build cross deps deps-cross deps-test deps-fuzz deps-install install run check fuzz \
	fuzz-build asan-build valgrind-build clean bench check-distro

all: build

deps:
	@scripts/install-deps.sh build

deps-cross:
	@scripts/install-deps.sh cross

deps-test:
	@scripts/install-deps.sh build cross test vm fuzz package

deps-fuzz:
	@scripts/install-deps.sh fuzz

deps-install:
	@scripts/install-deps.sh install

# The native kexec and library (and, where the cross compilers are installed,
# the arm64, riscv64, 32-bit ARM, i386, MIPS, s390x and ppc64 purgatories they embed: scripts/build-native.sh
# configures again when that changes).
build: deps
	MESON_ARGS="$(MESON_ARGS)" scripts/build-native.sh $(BUILD)

# The static arm64, riscv64, 32-bit ARM, i386, MIPS, s390x and ppc64el kexecs that their VM tests and
# benchmarks boot.
cross: deps-cross
	scripts/build-cross.sh aarch64 $(AARCH64_BUILD)
	scripts/build-cross.sh riscv64 $(RISCV64_BUILD)
	scripts/build-cross.sh armhf $(ARMHF_BUILD)
	scripts/build-cross.sh i686 $(I686_BUILD)
	scripts/build-cross.sh mips64el $(MIPS64EL_BUILD)
	scripts/build-cross.sh s390x $(S390X_BUILD)
	scripts/build-cross.sh ppc64le $(PPC64LE_BUILD)

# The command (sbin/kexec), the shared and static library, libkexec.h,
# libkexec.pc, the man pages kexec(8) and libkexec(3) and the bash completion,
# into $(DESTDIR)$(PREFIX). Only the native build: no cross kexecs, no tests.
install: deps-install
	@if [ -f $(INSTALL_BUILD)/build.ninja ]; then \
		meson configure $(INSTALL_BUILD) -Dprefix=$(PREFIX) $(INSTALL_MESON_ARGS); \
	else \
		meson setup $(INSTALL_BUILD) --prefix=$(PREFIX) $(INSTALL_MESON_ARGS); \
	fi
	ninja -C $(INSTALL_BUILD) $(NINJAFLAGS)
	meson install -C $(INSTALL_BUILD) --no-rebuild $(if $(DESTDIR),--destdir "$(DESTDIR)")

# libFuzzer targets (clang, ASan + UBSan), unit tests under ASan + UBSan, and a
# dynamically linked kexec for valgrind.
fuzz-build: deps-fuzz
	scripts/build-variant.sh fuzz $(FUZZ_BUILD)

asan-build: deps
	scripts/build-variant.sh asan $(ASAN_BUILD)

valgrind-build: deps
	scripts/build-variant.sh valgrind $(VALGRIND_BUILD)

# Each fuzz target for FUZZ_SECONDS; new corpus entries stay in $(FUZZ_BUILD)/fuzz-corpus.
fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh $(FUZZ_BUILD) fuzz

# Boot a VM in which our kexec loads and boots a second kernel: only the
# native kexec and the x86_64 guest (no tests, cross builds or test tools).
run:
	@scripts/install-deps.sh build vm-main
	MESON_ARGS="$(MESON_ARGS)" scripts/build-native.sh $(BUILD) kexec
	tests/vm/run-main.sh

# Unit, command, hostile-input (bad inputs, unprivileged, ASan, valgrind, fuzz
# corpora), install and package (tests/install) and VM tests; ends with "N passed, N failed".
# Everything it needs is installed first, so that the native build embeds the
# cross purgatories its unit tests check.
check: deps-test
	$(MAKE) --no-print-directory build cross fuzz-build asan-build valgrind-build
	FUZZ_BUILD=$(FUZZ_BUILD) ASAN_BUILD=$(ASAN_BUILD) VALGRIND_BUILD=$(VALGRIND_BUILD) \
		AARCH64_BUILD=$(AARCH64_BUILD) RISCV64_BUILD=$(RISCV64_BUILD) ARMHF_BUILD=$(ARMHF_BUILD) \
		I686_BUILD=$(I686_BUILD) MIPS64EL_BUILD=$(MIPS64EL_BUILD) S390X_BUILD=$(S390X_BUILD) \
		PPC64LE_BUILD=$(PPC64LE_BUILD) \
		tests/run-checks.sh $(BUILD)

# Our .debs in full Debian 12 and 13 guests, x86_64 and arm64 (mmdebstrap, systemd, kdump-tools)
# driven by the distribution's tools: kdump-config at boot and a crash saved by
# makedumpfile, systemctl kexec, kexec-tools' kexec-load service on reboot
# (tests/distro/run.sh). Not part of check: each guest boots four times.
check-distro:
	@scripts/install-deps.sh build package vm
	KX_DISTRO_ARCHES="$(DISTRO_ARCHES)" tests/distro/run.sh $(DISTRO_RELEASES)

# Benchmarks against Debian's kexec-tools on the same kernel and initrds (load
# cost on this host, handover in QEMU with icount on x86_64, arm64, 32-bit
# ARM, i386 and MIPS; riscv64, where Debian has no kexec-tools, against our
# own -i): bench/run.sh writes
# docs/bench.md, docs/bench.png and the raw numbers. Not part of check.
bench: build cross
	@scripts/install-deps.sh vm
	bench/run.sh

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD) $(ASAN_BUILD) $(VALGRIND_BUILD) $(AARCH64_BUILD) $(RISCV64_BUILD) \
		$(INSTALL_BUILD)
