# plugins/postgres/plugin.mk: build settings of the postgres plugin (included by the Makefile):
# libpq for the plugin, and a rule for its unit tests, which compile the plugin's sources
# (all but the manifest) with the host flags, as the transforms' tests do.
postgres_LDLIBS := $(shell pkg-config --libs libpq 2>/dev/null || echo -lpq)
POSTGRES_CPPFLAGS := $(shell pkg-config --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql)
$(BUILD)/plugins/postgres.so: PLUGIN_CPPFLAGS += $(POSTGRES_CPPFLAGS)

POSTGRES_TEST_SRCS := $(filter-out plugins/postgres/plugin.c,$(wildcard plugins/postgres/*.c))
$(BUILD)/tests/unit/test_postgres_%: tests/unit/test_postgres_%.c $(POSTGRES_TEST_SRCS) $(wildcard plugins/postgres/*.h) $(LIBSLUICE)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(HOST_CPPFLAGS) $(POSTGRES_CPPFLAGS) -Itests/unit -Iplugins/postgres $< $(POSTGRES_TEST_SRCS) $(LIBSLUICE) -o $@ $(LDLIBS) $(postgres_LDLIBS) -lcmocka
