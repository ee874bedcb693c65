# plugins/datagen/plugin.mk: extra libraries of datagen.so (jansson parses templates).
datagen_LDLIBS := -ljansson -lm
