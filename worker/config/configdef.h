/* config/configdef.h: the typed config engine. Parses raw sl_props against sl_config_def tables
 * with Kafka Connect's ConfigDef semantics, collecting every error, into an sl_config. */
#ifndef SLUICE_CONFIG_CONFIGDEF_H
#define SLUICE_CONFIG_CONFIGDEF_H

#include <stdarg.h>
#include <sys/types.h>

#include <sluice/sdk.h>

/* Host-only flag for SL_VALID_CUSTOM validators (in sl_validator.range_flags, unused by custom
 * validators): the validator's errstr is the whole message, not the part after
 * "Invalid value <v> for configuration <name>: ". Matches Connect validators that throw
 * ConfigException(message) (listeners, converter classes, ...). Plugins never set it. */
#define CONFIG_VALID_RAW_MESSAGE 0x100u

/* ==== schemas ==== */

/* An ordered set of keys, as Connect's ConfigDef: what one parse checks. Built by adding tables
 * and embedding prefixed tables (transforms.<alias>.*), then handed to config_parse_schema(),
 * after which it is immutable and may be read from any thread. Building is single-threaded. */
typedef struct config_schema config_schema;

/* One key of a schema. Every pointer is valid while the schema lives: strings that differ from
 * the definition's (prefixed names, embedded groups) are owned by the schema; `def` is
 * borrowed from the table (plugin or framework static data, or config_schema_alloc). */
typedef struct config_key {
    const char *name;       /* full name: embedding prefix + def->name */
    const char *short_name; /* def->name: the name validators report for embedded keys */
    const sl_config_def *def;
    const char *group;               /* group shown; NULL for none */
    int order;                       /* Connect's orderInGroup */
    const char *const *recommended;  /* NULL-terminated, or NULL */
    const char *const *dependents;   /* full names, NULL-terminated, or NULL */
} config_key;

/* New empty schema; caller owns it (config_schema_free, or hand it to config_parse_schema). */
config_schema *config_schema_new(void);
/* Free a schema not handed to a parse. NULL is accepted. */
void config_schema_free(config_schema *s);

/* Add every key of `table` (terminated by SL_CONFIG_END; borrowed, must outlive the schema).
 * A key already in the schema is kept (first definition wins) unless `replace`, in which case
 * the new definition takes the old one's place (Connect's putAll of a connector's own keys over
 * the framework's). A definition's order 0 means its position among the table's keys of the
 * same group (1-based), or -1 without a group, as Connect leaves ungrouped keys. */
int config_schema_add_table(config_schema *s, const sl_config_def *table, bool replace);

/* Embed tables under `prefix` as Connect's ConfigDef.embed: names become prefix + name, groups
 * `group` or "<group>: <key's group>", orders count from `start_order` in Connect's sorted
 * order (group, order, required first, importance, name). Across `tables`, the first
 * definition of a name wins (Connect's implicit transform keys mask the SMT's own).
 * Tables are borrowed and must outlive the schema; strings are copied. */
int config_schema_embed(config_schema *s, const char *prefix, const char *group, int start_order,
                        const sl_config_def *const *tables, size_t ntables);

/* Add one key with explicit name, group, order and recommended values (all copied except
 * `def`, which is borrowed; use config_schema_alloc for a definition built at run time).
 * A name already present is replaced in place. */
int config_schema_add_key(config_schema *s, const sl_config_def *def, const char *name,
                          const char *group, int order, const char *const *recommended);

/* Zeroed memory / a string copy owned by the schema, freed with it (for definitions built at
 * run time, such as transforms.<alias>.type). NULL on allocation failure. */
void *config_schema_alloc(config_schema *s, size_t size);
const char *config_schema_strdup(config_schema *s, const char *str);

/* Read access (borrowed). config_schema_find returns NULL for an unknown name. */
size_t config_schema_count(const config_schema *s);
const config_key *config_schema_key(const config_schema *s, size_t i);
const config_key *config_schema_find(const config_schema *s, const char *name);
/* Groups in the order their first key was added (Connect's ConfigDef.groups()). */
size_t config_schema_group_count(const config_schema *s);
const char *config_schema_group(const config_schema *s, size_t i);

/* ==== results: Connect's ConfigValue per key ==== */

/* The outcome of a parse: one entry per key (schema order, then entries added later), each
 * with the value's string form (PASSWORD as "[hidden]"), error messages, recommended values
 * and visibility. Not thread-safe while being added to; read-only use from any thread. */
typedef struct config_result config_result;

/* New empty result; caller frees with config_result_free (NULL accepted). */
config_result *config_result_new(void);
void config_result_free(config_result *r);

/* Total number of error messages over every entry. */
size_t config_result_error_count(const config_result *r);
/* The k-th error message over all entries in entry order (k < error_count). Strings borrowed.
 * False when k is out of range. */
bool config_result_error_at(const config_result *r, size_t k, const char **key,
                            const char **message);

/* Entries: count, lookup (-1 if absent), and fields of the i-th (strings borrowed). */
size_t config_result_count(const config_result *r);
ssize_t config_result_find(const config_result *r, const char *name);
const char *config_result_name(const config_result *r, size_t i);
const char *config_result_value(const config_result *r, size_t i); /* NULL = null */
size_t config_result_errors(const config_result *r, size_t i, const char *const **messages);
size_t config_result_recommended(const config_result *r, size_t i, const char *const **values);
bool config_result_visible(const config_result *r, size_t i);

/* Find or append the entry for `name`; a new entry gets `value` (copied; NULL = null), an
 * existing one keeps its value. Returns its index, or -1 on allocation failure. */
ssize_t config_result_add(config_result *r, const char *name, const char *value);
/* Replace an entry's value string (copied), e.g. to hide a secret. */
void config_result_set_value(config_result *r, size_t i, const char *value);
/* Append an error to the entry for `key` (created with a null value if absent). Copied. */
void config_result_add_error(config_result *r, const char *key, const char *message);
void config_result_add_errorf(config_result *r, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ==== parsing ==== */

/* Parse `raw` (borrowed) against `tables` (first table defining a key wins; each borrowed and
 * required to outlive the result) as Connect's ConfigDef.validateAll does:
 * - a key given is parsed by type (BOOLEAN true/false any case; INT/SHORT/LONG decimal within
 *   range; DOUBLE; LIST comma-separated, items trimmed, "" = empty; CLASS resolved through the
 *   plugin registry to its full class name, so parse after registry_init() and plugin loading,
 *   as Connect builds its WorkerConfig after scanning plugins; CLASS defaults are taken as
 *   written; STRING and PASSWORD trimmed); a bad value is
 *   "Invalid value <v> for configuration <k>: Not a number of type INT" and similar;
 * - a key not given takes its default; a required key not given is "Missing required
 *   configuration \"<k>\" which has no default value.";
 * - then the validator runs on the parsed value (also on null, as in Connect: RANGE and IN
 *   reject null, so give such keys a default). Custom validators receive the trimmed string
 *   value, or the default's string, or NULL for null.
 * Every error is collected; nothing stops at the first. Keys not defined are ignored (they stay
 * readable through sl_config_originals), as Connect ignores unknown keys.
 * Always returns a usable config (NULL only when out of memory): a key whose value failed
 * takes its default. `result` is optional; when given, *result is a new config_result the
 * caller frees. The caller frees the config with config_free(). Thread-safe (no shared state);
 * the config is immutable and may be read from any thread. */
sl_config *config_parse(const sl_config_def *const *tables, size_t ntables, const sl_props *raw,
                        config_result **result);

/* Same with a prepared schema, which the config takes over (also on failure). */
sl_config *config_parse_schema(config_schema *schema, const sl_props *raw,
                               config_result **result);

/* Run a plugin's cross-field validate() against a parsed config; errors it reports with
 * sl_validation_error() are added to `r`. No-op when `validate` is NULL. Runs on the calling
 * thread. */
void config_run_validate(config_result *r, const sl_config *c, void (*validate)(sl_validation *));

/* Free a config (NULL accepted). Nothing borrowed from it may be used afterwards. */
void config_free(sl_config *c);

/* The schema a config was parsed with (borrowed, lives as long as the config). */
const config_schema *config_schema_of(const sl_config *c);

/* Like the SDK getters, for SHORT keys and for code that must tell null from 0. */
int16_t config_short(const sl_config *c, const char *name);
bool config_is_null(const sl_config *c, const char *name);

/* ==== helpers shared with the rest of the worker ==== */

/* Every property of `p` whose key starts with `prefix`, with the prefix removed when `strip`
 * (Connect's originalsWithPrefix). Caller owns the result. */
sl_props *config_props_with_prefix(const sl_props *p, const char *prefix, bool strip);

/* Connect's LIST parsing of `raw`: trimmed, "" = no items, else split at commas with the
 * whitespace around them removed (empty items are kept, as Java does). *items is a new
 * NULL-terminated array the caller frees with config_list_free. NULL raw gives 0 items. */
size_t config_split_list(const char *raw, char ***items);
void config_list_free(char **items);

/* Java's List.toString of items: "[a, b]". Caller frees. */
char *config_list_java_string(const char *const *items, size_t n);

/* Java's Double.toString of d ("1.0", "0.001", "1.0E7", "NaN", "Infinity") into buf. */
void config_java_double(double d, char *buf, size_t size);

/* The string form Connect shows for a definition's default (ConfigKeyInfo.default_value):
 * NULL when required or null; LIST joined with ","; PASSWORD "[hidden]". Caller frees. */
char *config_default_string(const sl_config_def *def);

/* Connect's type names ("BOOLEAN", "STRING", "INT", ...), importance ("HIGH", ...) and width
 * ("NONE", ...) names. Static strings. */
const char *config_type_name(sl_config_type t);
const char *config_importance_name(sl_importance i);
const char *config_width_name(sl_width w);

#endif
