# Sluice: one entry point. make | make run | make test | make test-asan | make bench | make install
# Every target that needs Debian packages installs what is missing first (scripts/deps.sh).

BUILD     ?= build
CC        ?= gcc
PKGS      := rdkafka libmicrohttpd jansson libcurl
OPT       ?= -O2
CFLAGS    ?= $(OPT) -g
WARN      := -Wall -Wextra -Werror
SAN       ?=
override CFLAGS += $(WARN) -std=gnu11 -pthread $(SAN)
DEPFLAGS   = -MMD -MP
GIT_COMMIT := $(shell git rev-parse --short=16 HEAD 2>/dev/null || echo unknown)
HOST_CPPFLAGS := -DSLUICE_HOST -Isdk/include -Iworker -DSLUICE_COMMIT=\"$(GIT_COMMIT)\"
PLUGIN_CPPFLAGS := -Isdk/include
PLUGIN_CFLAGS := -fPIC -fvisibility=hidden
LDLIBS    := -lrdkafka -lmicrohttpd -lgnutls -ljansson -lcurl -lcrypto -ldl -lpthread -lm
PREFIX    ?= /usr/local
PYTEST    := /usr/bin/python3 -m pytest

WORKER_SRCS := $(sort $(wildcard worker/*/*.c))
WORKER_OBJS := $(WORKER_SRCS:%.c=$(BUILD)/obj/%.o)
MAIN_OBJ    := $(BUILD)/obj/worker/main.o
LIBSLUICE   := $(BUILD)/lib/libsluice.a

# Plugins: every directory under plugins/ plus transforms/ is one shared object.
# A directory may hold plugin.mk setting <name>_LDLIBS (e.g. file_LDLIBS := -lpq).
PLUGIN_DIRS := $(sort $(dir $(wildcard plugins/*/*.c)))
PLUGIN_NAMES := $(notdir $(patsubst %/,%,$(PLUGIN_DIRS)))
PLUGIN_SOS  := $(PLUGIN_NAMES:%=$(BUILD)/plugins/%.so)
ifneq ($(wildcard transforms/*.c),)
PLUGIN_SOS  += $(BUILD)/plugins/transforms.so
endif
-include $(wildcard plugins/*/plugin.mk)

EXAMPLE_SOS := $(patsubst sdk/examples/%.c,$(BUILD)/examples/%.so,$(wildcard sdk/examples/*.c))
TESTPLUGIN_SOS := $(patsubst tests/unit/plugins/%.c,$(BUILD)/tests/plugins/%.so,$(wildcard tests/unit/plugins/*.c))
UNIT_TESTS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(wildcard tests/unit/test_*.c))
BENCH_BINS  := $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/*.c))
BENCH_SOS   := $(patsubst bench/plugins/%.c,$(BUILD)/bench/plugins/%.so,$(wildcard bench/plugins/*.c))

BINS := $(BUILD)/bin/sluice-worker $(BUILD)/bin/kafka-mock

.PHONY: all deps run test test-bins unit system test-asan bench install clean format lint
all: $(BINS) $(PLUGIN_SOS) $(EXAMPLE_SOS)

deps:
	@scripts/deps.sh

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(DEPFLAGS) $(HOST_CPPFLAGS) -c $< -o $@

# The OpenAPI document is embedded with the assembler's .incbin, which -MMD does not track.
$(BUILD)/obj/worker/rest/openapi_doc.o: docs/openapi.json

$(LIBSLUICE): $(filter-out $(MAIN_OBJ),$(WORKER_OBJS))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/bin/sluice-worker: $(MAIN_OBJ) $(LIBSLUICE)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/bin/kafka-mock: $(wildcard tests/kafka-mock/*.c) worker/kafka/devcluster.c worker/kafka/devcluster.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Iworker $(filter %.c,$^) -o $@ -lrdkafka -lpthread

.SECONDEXPANSION:
$(BUILD)/plugins/%.so: $$(wildcard plugins/%/*.c) $$(wildcard plugins/%/*.h) $(wildcard sdk/include/sluice/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PLUGIN_CFLAGS) $(PLUGIN_CPPFLAGS) -shared $(filter %.c,$^) -o $@ $($*_LDLIBS)

$(BUILD)/plugins/transforms.so: $(wildcard transforms/*.c) $(wildcard transforms/*.h) $(wildcard sdk/include/sluice/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PLUGIN_CFLAGS) $(PLUGIN_CPPFLAGS) -shared $(filter %.c,$^) -o $@ -lpcre2-8 -lm

$(BUILD)/examples/%.so: sdk/examples/%.c $(wildcard sdk/include/sluice/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PLUGIN_CFLAGS) $(PLUGIN_CPPFLAGS) -shared $< -o $@

$(BUILD)/bench/plugins/%.so: bench/plugins/%.c $(wildcard sdk/include/sluice/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PLUGIN_CFLAGS) $(PLUGIN_CPPFLAGS) -shared $< -o $@

$(BUILD)/tests/plugins/%.so: tests/unit/plugins/%.c $(wildcard sdk/include/sluice/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PLUGIN_CFLAGS) $(PLUGIN_CPPFLAGS) -shared $< -o $@

# The transforms' unit tests compile the transform sources (not the manifest) into the test,
# with the host flags, so SDK calls are the worker's own functions.
TRANSFORM_SRCS := $(filter-out transforms/plugin.c,$(wildcard transforms/*.c))
$(BUILD)/tests/unit/test_transforms_%: tests/unit/test_transforms_%.c $(TRANSFORM_SRCS) $(wildcard transforms/*.h) $(LIBSLUICE)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(HOST_CPPFLAGS) -Itests/unit -Itransforms $< $(TRANSFORM_SRCS) $(LIBSLUICE) -o $@ $(LDLIBS) -lpcre2-8 -lcmocka

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIBSLUICE)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(HOST_CPPFLAGS) -Itests/unit $< $(LIBSLUICE) -o $@ $(LDLIBS) -lcmocka

$(BUILD)/bench/%: bench/%.c $(LIBSLUICE)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(HOST_CPPFLAGS) $< $(LIBSLUICE) -o $@ $(LDLIBS)

# ---- running ----
run: deps all
	$(BUILD)/bin/sluice-worker --dev --plugin-path $(BUILD)/plugins

unit: all $(TESTPLUGIN_SOS) $(UNIT_TESTS)
	@set -e; for t in $(UNIT_TESTS); do \
	  SLUICE_BUILD=$(BUILD) CMOCKA_MESSAGE_OUTPUT=stdout $$t; done

# System tests run PYTEST_WORKERS test files at a time (pytest-xdist): they mostly wait on the
# group protocol's timers, not on the CPU. PYTEST_WORKERS=0 runs them one after another.
PYTEST_WORKERS ?= 3
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
system: all
	SLUICE_BUILD=$(abspath $(BUILD)) $(PYTEST) -q -p no:cacheprovider \
	  $(if $(filter-out 0,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS) --dist loadfile) tests/system

# Everything the tests need, built in parallel first (the runs themselves are sequential).
test-bins: all $(TESTPLUGIN_SOS) $(UNIT_TESTS)

test: deps
	@$(MAKE) --no-print-directory -j$(JOBS) test-bins
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory system

ASAN_VARS := BUILD=build-asan OPT=-O1 SAN="-fsanitize=address -fno-omit-frame-pointer"
test-asan: deps
	@$(MAKE) --no-print-directory $(ASAN_VARS) -j$(JOBS) test-bins
	@$(MAKE) --no-print-directory $(ASAN_VARS) unit system

bench: deps all $(BENCH_BINS) $(BENCH_SOS)
	SLUICE_BUILD=$(abspath $(BUILD)) bench/run.sh
	@echo; echo "bundled sinks (as a ratio to the plain tool writing the same data):"
	BENCH_COUNT=$${BENCH_SINK_COUNT:-200000} bench/fs.sh $(abspath $(BUILD))
	BENCH_COUNT=$${BENCH_SINK_COUNT:-200000} bench/pg.sh $(abspath $(BUILD))

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/sluice/plugins \
	  $(DESTDIR)$(PREFIX)/include/sluice
	install -m 755 $(BUILD)/bin/sluice-worker $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(PLUGIN_SOS) $(DESTDIR)$(PREFIX)/lib/sluice/plugins/
	install -m 644 sdk/include/sluice/*.h $(DESTDIR)$(PREFIX)/include/sluice/

format:
	clang-format -i $$(git ls-files '*.c' '*.h' | grep -v '^tests/system')

CPPCHECK := cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	  --suppress=missingIncludeSystem --inline-suppr
lint:
	$(CPPCHECK) -DSLUICE_HOST -Isdk/include -Iworker worker
	$(CPPCHECK) -USLUICE_HOST -Isdk/include sdk/examples plugins transforms bench/plugins

clean:
	rm -rf build build-asan

-include $(WORKER_OBJS:.o=.d)
