/* config/providers.h: Kafka's config providers (KIP-297; env KIP-887; allowed.paths KIP-993):
 * ${provider:[path:]key} variables in connector configs, resolved at start and validation. */
#ifndef SLUICE_CONFIG_PROVIDERS_H
#define SLUICE_CONFIG_PROVIDERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include <sluice/sdk.h>

/* What Sluice implements, and where it differs from Kafka's ConfigTransformer:
 *
 * Worker config (WorkerConfig / AbstractConfig): config.providers=a,b (a list of names), each
 * with config.providers.<name>.class and optional config.providers.<name>.param.<p>. Classes:
 *   org.apache.kafka.common.config.provider.FileConfigProvider       (alias File, file)
 *   org.apache.kafka.common.config.provider.EnvVarConfigProvider     (alias EnvVar, env)
 *   org.apache.kafka.common.config.provider.DirectoryConfigProvider  (alias Directory, dir)
 * matched as a full name, a simple name or a simple name without "ConfigProvider", ignoring
 * case. Params: allowed.paths (file, directory: comma-separated absolute paths that must exist;
 * only paths under them may be read, compared after lexical normalisation as Java's
 * Path.normalize().startsWith(): "..", "." and repeated slashes are folded first, symlinks are
 * not followed, as in Kafka) and allowlist.pattern (env: only variables whose whole name
 * matches the regular expression are visible; POSIX extended syntax, which covers the usual
 * Java patterns such as "DB_.*|API_KEY" but not \d or (?i)). Other params are ignored with
 * a warning.
 *
 * Variables: "${" provider ":" [path ":"] key "}". A variable ends at the first '}' and cannot
 * span a line break ('.' in Kafka's pattern does not match one); the provider is the text up to
 * the first ':', the path the text up to the next ':' (when there is one) and the key the rest,
 * which may contain ':'. There is no nesting and no escape syntax (Kafka has neither): the
 * inner "${" of "${file:${env:X}:k}" is plain text of the path. Any number of variables may
 * appear in one value, with text around them. Kafka's lazy regular expression can run one
 * variable into the next ("${env:A}:${env:B}" is read there as one variable with path
 * "A}" and fails); Sluice ends each variable at its own '}', which gives the same result for
 * every value Kafka resolves, unless a path or key itself contains '}'.
 *   ${file:/etc/kafka/secrets.properties:db.password}  a key of a Java properties file
 *   ${env:DB_PASSWORD}  or  ${env::DB_PASSWORD}          an environment variable (no path)
 *   ${directory:/run/secrets:db-password}                 the whole content of a file in a
 *                                                         directory (not trimmed)
 *
 * Resolution, as Connect's WorkerConfigTransformer: variables naming a provider that is not
 * configured are left as they are (so TimestampRouter's "${topic}" and other literal text
 * pass through). Unlike Kafka, which leaves a variable unresolved when its key is missing or
 * its path is outside allowed.paths and only fails on unreadable files, every lookup failure
 * is an error here (the connector or task fails to start; validation reports it against the
 * key), because a literal "${file:...}" handed to a connector as a password is never what the
 * user meant. Error messages name the provider, the variable and the path, never a value.
 * TTLs and reloading (ConfigData.ttl, config.action.reload) are not supported: none of the
 * three providers reports a TTL, and values are read again at every connector or task start.
 * The worker config's own values are resolved once at start-up, as AbstractConfig does.
 *
 * Secrets: stored configs (the config topic, the standalone herder's maps, REST GET responses)
 * always hold the raw placeholders; resolved values exist only in the props handed to
 * connectors and tasks while they start. Task configs produced by a connector are passed
 * through providers_reverse_task_configs() before they are stored or returned. */

typedef struct config_providers config_providers;

/* One variable in a value: byte offsets into the value. `path_len` is 0 both for "${p:k}" and
 * "${p::k}" (Kafka's empty path). */
typedef struct providers_var {
    size_t start, end; /* "${" ... "}" is value[start, end) */
    size_t provider_off, provider_len;
    size_t path_off, path_len;
    size_t key_off, key_len;
} providers_var;

/* Find the first variable of `value` starting at or after byte `from`. True with *v filled;
 * false when there is none (or value is NULL). Pure function, thread-safe. */
bool providers_next_var(const char *value, size_t from, providers_var *v);

/* Build the providers named by config.providers in `worker_props` (borrowed). SL_OK with *out
 * (NULL when no provider is configured; every function below accepts NULL as "no providers")
 * or SL_ERR with errstr naming the offending key, e.g. "config.providers.vault.class: unknown
 * config provider class 'com.acme.VaultConfigProvider' (...)" or
 * "config.providers.file.param.allowed.paths: Path /nope is not valid. The path should be
 * absolute and exist". The env provider takes a snapshot of the environment (filtered by
 * allowlist.pattern) here. Caller owns *out (providers_destroy). Thread-safe. */
int providers_new(const sl_props *worker_props, config_providers **out, char *errstr,
                  size_t errstr_size);
void providers_destroy(config_providers *p);

/* Number of providers configured (0 for NULL). */
size_t providers_count(const config_providers *p);

/* True when `value` holds at least one variable of a configured provider. */
bool providers_has_variables(const config_providers *p, const char *value);

/* Resolve one value. SL_OK with *out a new string the caller frees (a copy of `value` when it
 * holds no variable of a configured provider; NULL for a NULL value), or SL_ERR with errstr
 * ("config provider 'file': ..."). Reads files and the env snapshot; no shared mutable state,
 * so any thread may call it on an installed set. */
int providers_resolve_value(const config_providers *p, const char *value, char **out, char *errstr,
                            size_t errstr_size);

/* Resolve every value of `raw` (borrowed) into a new props (same keys and order; null values
 * stay null); `raw` is never modified. Each (provider, path) is read once per call. SL_OK
 * with *out (caller owns), or SL_ERR with *out NULL and errstr naming the first key that
 * failed: "Cannot resolve ${file:/x.properties:pw} in 'connection.password': config provider
 * 'file': cannot read properties from file /x.properties: No such file or directory". With
 * no providers *out is a plain copy. Any thread. */
int providers_resolve(const config_providers *p, const sl_props *raw, sl_props **out, char *errstr,
                      size_t errstr_size);

/* As providers_resolve, but a key that fails keeps its raw value and its message goes to
 * *errors (a new props key -> message, caller owns; empty when everything resolved). Returns
 * the new props (caller owns), NULL only when out of memory. For validation. Any thread. */
sl_props *providers_resolve_lenient(const config_providers *p, const sl_props *raw,
                                    sl_props **errors);

/* Connect's reverse transform (WorkerConfigTransformer / AbstractHerder.reverseTransform),
 * applied to task configs before they are stored or served: for every key of `raw_conn` whose
 * value holds a variable of a configured provider, a task config value equal to that key's
 * resolved value is replaced by the raw value again, first for the same key (as Connect does),
 * then (non-empty values only) for any key, so a connector copying a secret under another
 * name does not leak it either. Starting the task resolves the placeholder back to the same
 * value. `tasks` (n of them) are modified in place; `raw_conn` is borrowed. A key whose
 * variables cannot be resolved any more is skipped. No-op without providers. Any thread. */
void providers_reverse_task_configs(const config_providers *p, const sl_props *raw_conn,
                                    sl_props *const *tasks, int n);

/* `text` with the secrets of `raw` (borrowed) replaced by their placeholders: for every key
 * holding variables of a configured provider, its whole resolved value and each variable's
 * resolved value (non-empty ones, longest first) become the raw text again, so an error
 * message built from a resolved config ("Invalid value s3cr3t for configuration x") shows
 * "${env:X}" instead. Variables that cannot be resolved are skipped. Caller frees; NULL for
 * NULL text or out of memory. Reads the providers again: for error paths. Any thread. */
char *providers_scrub(const config_providers *p, const sl_props *raw, const char *text);

/* Validate a raw connector config as connector_validate() does (same arguments but no
 * config_result, same ConfigInfos and return codes), after resolving its variables as
 * Connect's validateConnectorConfig does. Then, so that validation never shows a secret: resolution
 * failures are added as errors of their keys (error_count included), values of keys that held
 * variables are shown raw (PASSWORD keys stay "[hidden]"), and error messages have resolved values
 * replaced by their placeholders. Uses the installed providers. Same thread rules as
 * connector_validate. */
int providers_connector_validate(const sl_props *raw, const char *expected_type,
                                 json_t **configinfos, char *errstr, size_t errstr_size);

/* The process-wide providers the runtime and the herders use. main installs them once,
 * before any herder, runtime or REST thread starts, and uninstalls (NULL) after they all
 * stopped; `p` is borrowed and must stay alive while installed. providers_installed() may
 * be called from any thread and returns NULL when nothing is installed. */
void providers_install(const config_providers *p);
const config_providers *providers_installed(void);

#endif
