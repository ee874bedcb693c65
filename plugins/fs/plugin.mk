# plugins/fs/plugin.mk: the fs plugin's libraries (avro-c, jansson, zlib), and the rule that
# builds its unit tests (tests/unit/test_fs_*.c) with the plugin's sources compiled in.
fs_LDLIBS := $(shell pkg-config --libs avro-c 2>/dev/null || echo -lavro) -ljansson -lz

# As the transforms' tests: the sources (not the entry point) with the host flags, so SDK calls
# are the worker's own functions. A more specific pattern than tests/unit/%, so it wins.
FS_SRCS := $(filter-out plugins/fs/plugin.c,$(wildcard plugins/fs/*.c))
$(BUILD)/tests/unit/test_fs_%: tests/unit/test_fs_%.c $(FS_SRCS) $(wildcard plugins/fs/*.h) $(LIBSLUICE)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(HOST_CPPFLAGS) -Itests/unit -Iplugins/fs $< $(FS_SRCS) $(LIBSLUICE) -o $@ $(LDLIBS) $(fs_LDLIBS) -lcmocka
