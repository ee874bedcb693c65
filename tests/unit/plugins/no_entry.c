/* tests/unit/plugins/no_entry.c: a shared object that exports a function but not
 * sluice_plugin_entry; the loader must refuse it with "no entry point". */
__attribute__((visibility("default"))) int not_a_sluice_plugin(void) { return 42; }
