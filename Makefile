# Front door: `make` builds, `make run` is the main job, `make check` runs every test.
BUILD ?= build
MESON_ARGS ?=

.PHONY: all build deps run check unit cli vm clean

all: build

deps:
	@scripts/install-deps.sh build

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_ARGS)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

# Boot a VM in which our kexec loads and boots a second kernel.
run: build
	@scripts/install-deps.sh vm
	tests/vm/run-main.sh

# Unit tests, command tests, VM tests; ends with "N passed, N failed".
check: build
	@scripts/install-deps.sh vm
	tests/run-checks.sh $(BUILD)

clean:
	rm -rf $(BUILD)
