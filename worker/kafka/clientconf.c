/* kafka/clientconf.c: layers worker and connector properties into librdkafka configurations,
 * translating Java client names and values where librdkafka has an equivalent. */
#define _GNU_SOURCE
#include "kafka/clientconf.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/log.h"

#define CC_LOGGER "clientconf"
#define CC_POLICY_KEY "connector.client.config.override.policy"

/* ---- the merged view: Java key -> value, remembering how the user spelled it ---- */

typedef struct cc_entry {
    char *key;      /* unprefixed Java (or librdkafka) name */
    char *value;    /* NULL or "" = unset */
    char *origin;   /* as written, e.g. "producer.override.linger.ms", for messages */
    bool top_level; /* from the worker's top level or the base settings: no scope warnings */
    bool base;      /* one of Connect's base settings */
} cc_entry;

typedef struct cc_map {
    cc_entry *v;
    size_t n, cap;
} cc_map;

static void cc_entry_free(cc_entry *e)
{
    free(e->key);
    free(e->value);
    free(e->origin);
}

static void cc_map_free(cc_map *m)
{
    for (size_t i = 0; i < m->n; i++)
        cc_entry_free(&m->v[i]);
    free(m->v);
}

static cc_entry *cc_map_find(const cc_map *m, const char *key)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->v[i].key, key) == 0)
            return &m->v[i];
    return NULL;
}

static const char *cc_map_get(const cc_map *m, const char *key)
{
    const cc_entry *e = cc_map_find(m, key);
    return e && e->value && *e->value ? e->value : NULL;
}

static void cc_map_remove(cc_map *m, const char *key)
{
    cc_entry *e = cc_map_find(m, key);
    if (e == NULL)
        return;
    size_t i = (size_t)(e - m->v);
    cc_entry_free(e);
    memmove(&m->v[i], &m->v[i + 1], (m->n - i - 1) * sizeof(*m->v));
    m->n--;
}

/* Replace or add. A replaced key moves to the end, so that entries apply in layer order (a
 * Java name and its librdkafka alias set on different layers resolve to the higher layer). */
static int cc_map_put(cc_map *m, const char *key, const char *value, const char *origin,
                      bool top_level, bool base)
{
    cc_map_remove(m, key);
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 32;
        cc_entry *v = realloc(m->v, cap * sizeof(*v));
        if (v == NULL)
            return -1;
        m->v = v;
        m->cap = cap;
    }
    cc_entry *e = &m->v[m->n];
    e->key = strdup(key);
    e->value = value ? strdup(value) : NULL;
    e->origin = strdup(origin);
    e->top_level = top_level;
    e->base = base;
    if (e->key == NULL || e->origin == NULL || (value && e->value == NULL)) {
        cc_entry_free(e);
        return -1;
    }
    m->n++;
    return 0;
}

/* ---- librdkafka's property scopes ('*' both, 'C' consumer, 'P' producer) ---- */

typedef struct cc_scope_entry {
    char *name;
    char scope;
} cc_scope_entry;

static cc_scope_entry *g_scopes;
static size_t g_nscopes;
static pthread_once_t g_scopes_once = PTHREAD_ONCE_INIT;

static int cc_scope_cmp(const void *a, const void *b)
{
    return strcmp(((const cc_scope_entry *)a)->name, ((const cc_scope_entry *)b)->name);
}

/* librdkafka has no API for a property's scope, but documents every property in the table
 * rd_kafka_conf_properties_show() prints ("name | C/P | range | ..."), so read it once. If
 * its format ever changes the table comes out empty and scope checks are skipped. */
static void cc_scopes_load(void)
{
    char *text = NULL;
    size_t size = 0;
    FILE *fp = open_memstream(&text, &size);
    if (fp == NULL)
        return;
    rd_kafka_conf_properties_show(fp);
    fclose(fp);
    size_t cap = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *bar = strchr(line, '|');
        if (bar == NULL || line[0] == '-' || strncmp(line, "Property ", 9) == 0)
            continue;
        char *end = bar;
        while (end > line && isspace((unsigned char)end[-1]))
            end--;
        const char *s = bar + 1;
        while (*s == ' ')
            s++;
        if (end == line || (*s != '*' && *s != 'C' && *s != 'P'))
            continue;
        if (g_nscopes == cap) {
            size_t ncap = cap ? cap * 2 : 256;
            cc_scope_entry *v = realloc(g_scopes, ncap * sizeof(*v));
            if (v == NULL)
                break;
            g_scopes = v;
            cap = ncap;
        }
        g_scopes[g_nscopes].name = strndup(line, (size_t)(end - line));
        if (g_scopes[g_nscopes].name == NULL)
            break;
        g_scopes[g_nscopes].scope = *s;
        g_nscopes++;
    }
    free(text);
    if (g_nscopes)
        qsort(g_scopes, g_nscopes, sizeof(*g_scopes), cc_scope_cmp);
}

/* '*', 'C', 'P', or 0 when unknown. */
static char cc_scope(const char *name)
{
    pthread_once(&g_scopes_once, cc_scopes_load);
    cc_scope_entry key = {.name = (char *)name};
    const cc_scope_entry *e =
        g_nscopes ? bsearch(&key, g_scopes, g_nscopes, sizeof(*g_scopes), cc_scope_cmp) : NULL;
    return e ? e->scope : 0;
}

/* ---- one WARN per key per process ---- */

#define CC_WARNED_MAX 1024
static pthread_mutex_t g_warned_lock = PTHREAD_MUTEX_INITIALIZER;
static char *g_warned[CC_WARNED_MAX];
static size_t g_nwarned;

static void cc_warn_once(const char *origin, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void cc_warn_once(const char *origin, const char *fmt, ...)
{
    pthread_mutex_lock(&g_warned_lock);
    for (size_t i = 0; i < g_nwarned; i++) {
        if (strcmp(g_warned[i], origin) == 0) {
            pthread_mutex_unlock(&g_warned_lock);
            return;
        }
    }
    /* Past the cap, warn every time rather than grow without bound. */
    if (g_nwarned < CC_WARNED_MAX) {
        char *copy = strdup(origin);
        if (copy)
            g_warned[g_nwarned++] = copy;
    }
    pthread_mutex_unlock(&g_warned_lock);
    va_list ap;
    va_start(ap, fmt);
    wlogv(SL_LOG_WARN, CC_LOGGER, fmt, ap);
    va_end(ap);
}

/* ---- applying one librdkafka property ---- */

typedef struct cc_ctx {
    rd_kafka_conf_t *conf;
    clientconf_kind kind;
    const cc_map *map;
    char *errstr;
    size_t errstr_size;
} cc_ctx;

static bool cc_kind_is_consumer(clientconf_kind k)
{
    return k == CLIENTCONF_CONSUMER || k == CLIENTCONF_INTERNAL_CONSUMER;
}

static bool cc_kind_is_producer(clientconf_kind k)
{
    return k == CLIENTCONF_PRODUCER || k == CLIENTCONF_INTERNAL_PRODUCER;
}

static bool cc_kind_is_internal(clientconf_kind k)
{
    return k >= CLIENTCONF_INTERNAL_PRODUCER;
}

/* Keys whose values must never appear in a message. */
static bool cc_sensitive(const char *key)
{
    return strstr(key, "password") || strstr(key, "jaas") || strstr(key, "secret") ||
           strstr(key, "key.pem") || strcmp(key, "ssl.keystore.key") == 0;
}

/* Set librdkafka property `name` to `value` on behalf of entry `e`. */
static int cc_set(cc_ctx *c, const cc_entry *e, const char *name, const char *value)
{
    char scope = cc_scope(name);
    bool wrong = (scope == 'P' && cc_kind_is_consumer(c->kind)) ||
                 (scope == 'C' && !cc_kind_is_consumer(c->kind));
    if (wrong) {
        /* A top-level key is meant for every client; it simply does not apply to this one. */
        if (e->top_level)
            LOG_DEBUG(CC_LOGGER, "%s does not apply to a %s, skipped", e->origin,
                      clientconf_kind_name(c->kind));
        else
            cc_warn_once(e->origin, "ignoring %s: librdkafka applies %s only to %ss", e->origin,
                         name, scope == 'P' ? "producer" : "consumer");
        return 0;
    }
    char err[512];
    rd_kafka_conf_res_t res = rd_kafka_conf_set(c->conf, name, value, err, sizeof(err));
    if (res == RD_KAFKA_CONF_OK)
        return 0;
    if (res == RD_KAFKA_CONF_UNKNOWN) {
        if (strcmp(name, e->key) == 0)
            cc_warn_once(e->origin, "ignoring %s: not a librdkafka client property", e->origin);
        else
            cc_warn_once(e->origin, "ignoring %s: librdkafka does not know %s", e->origin, name);
        return 0;
    }
    if (cc_sensitive(e->origin))
        snprintf(c->errstr, c->errstr_size, "Invalid value for configuration %s", e->origin);
    else
        snprintf(c->errstr, c->errstr_size, "Invalid value for configuration %s: %s", e->origin,
                 err);
    return -1;
}

/* ---- Java-to-librdkafka translations ---- */

static int cc_invalid(cc_ctx *c, const cc_entry *e, const char *why)
{
    snprintf(c->errstr, c->errstr_size, "Invalid value for configuration %s: %s", e->origin, why);
    return -1;
}

static int cc_parse_ll(const char *s, long long *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    while (end && isspace((unsigned char)*end))
        end++;
    if (errno || end == s || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

/* Java's socket buffer sizes use -1 for the OS default; librdkafka uses 0. */
static int cc_buffer_bytes(cc_ctx *c, const cc_entry *e, const char *name)
{
    long long v = 0;
    if (cc_parse_ll(e->value, &v) != 0 || v < -1)
        return cc_invalid(c, e, "expected a byte count, or -1 for the OS default");
    char buf[32];
    snprintf(buf, sizeof(buf), "%lld", v < 0 ? 0 : v);
    return cc_set(c, e, name, buf);
}

/* buffer.memory (bytes) -> queue.buffering.max.kbytes. */
static int cc_buffer_memory(cc_ctx *c, const cc_entry *e)
{
    long long v = 0;
    if (cc_parse_ll(e->value, &v) != 0 || v < 0)
        return cc_invalid(c, e, "expected a non-negative byte count");
    long long kb = (v + 1023) / 1024;
    char buf[32];
    snprintf(buf, sizeof(buf), "%lld", kb < 1 ? 1 : kb);
    return cc_set(c, e, "queue.buffering.max.kbytes", buf);
}

/* bootstrap.servers is a Java list: items may be padded with spaces. */
static int cc_bootstrap(cc_ctx *c, const cc_entry *e)
{
    char *buf = malloc(strlen(e->value) + 1);
    if (buf == NULL)
        return cc_invalid(c, e, "out of memory");
    size_t n = 0;
    for (const char *s = e->value; *s; s++)
        if (!isspace((unsigned char)*s))
            buf[n++] = *s;
    buf[n] = '\0';
    int rc = cc_set(c, e, "bootstrap.servers", buf);
    free(buf);
    return rc;
}

static int cc_lower(cc_ctx *c, const cc_entry *e, const char *name)
{
    char buf[64];
    size_t i = 0;
    for (; i < sizeof(buf) - 1 && e->value[i]; i++)
        buf[i] = (char)tolower((unsigned char)e->value[i]);
    buf[i] = '\0';
    return cc_set(c, e, name, e->value[i] ? e->value : buf);
}

/* Java assignor class names -> librdkafka assignor names. Java's StickyAssignor has no
 * librdkafka equivalent. librdkafka refuses to mix eager and cooperative assignors; Java's
 * default "RangeAssignor, CooperativeStickyAssignor" runs range until every member upgrades,
 * so the eager ones are kept. */
static int cc_assignors(cc_ctx *c, const cc_entry *e)
{
    static const struct {
        const char *java, *rd;
    } k_map[] = {
        {"RangeAssignor", "range"},
        {"RoundRobinAssignor", "roundrobin"},
        {"CooperativeStickyAssignor", "cooperative-sticky"},
        {"range", "range"},
        {"roundrobin", "roundrobin"},
        {"cooperative-sticky", "cooperative-sticky"},
    };
    char eager[128] = "", coop[64] = "";
    char *copy = strdup(e->value);
    if (copy == NULL)
        return cc_invalid(c, e, "out of memory");
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (isspace((unsigned char)*tok))
            tok++;
        char *end = tok + strlen(tok);
        while (end > tok && isspace((unsigned char)end[-1]))
            *--end = '\0';
        if (*tok == '\0')
            continue;
        const char *simple = strrchr(tok, '.') ? strrchr(tok, '.') + 1 : tok;
        const char *rd = NULL;
        for (size_t i = 0; i < sizeof(k_map) / sizeof(k_map[0]) && !rd; i++)
            if (strcmp(simple, k_map[i].java) == 0)
                rd = k_map[i].rd;
        if (rd == NULL) {
            cc_warn_once(e->origin, "ignoring assignor %s in %s: librdkafka has no equivalent", tok,
                         e->origin);
            continue;
        }
        char *dst = strcmp(rd, "cooperative-sticky") == 0 ? coop : eager;
        size_t cap = dst == coop ? sizeof(coop) : sizeof(eager);
        if (strstr(dst, rd) == NULL && strlen(dst) + strlen(rd) + 2 < cap) {
            if (*dst)
                strcat(dst, ",");
            strcat(dst, rd);
        }
    }
    free(copy);
    if (*eager && *coop)
        cc_warn_once(e->origin,
                     "%s mixes eager and cooperative assignors; librdkafka cannot, using %s",
                     e->origin, eager);
    const char *use = *eager ? eager : coop;
    return *use ? cc_set(c, e, "partition.assignment.strategy", use) : 0;
}

/* sasl.jaas.config: "<LoginModule class> <flag> key=value ... ;". Values may be quoted with
 * backslash escapes. Only the options librdkafka can use are read. */
typedef struct cc_jaas {
    char module[256];
    char *opt_name[16];
    char *opt_value[16];
    int nopts;
} cc_jaas;

static void cc_jaas_free(cc_jaas *j)
{
    for (int i = 0; i < j->nopts; i++) {
        free(j->opt_name[i]);
        if (j->opt_value[i]) /* wipe secrets before freeing */
            memset(j->opt_value[i], 0, strlen(j->opt_value[i]));
        free(j->opt_value[i]);
    }
}

static const char *cc_jaas_opt(const cc_jaas *j, const char *name)
{
    for (int i = 0; i < j->nopts; i++)
        if (strcmp(j->opt_name[i], name) == 0)
            return j->opt_value[i];
    return NULL;
}

static int cc_jaas_parse(const char *s, cc_jaas *j)
{
    memset(j, 0, sizeof(*j));
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strcspn(s, " \t\r\n;");
    if (n == 0 || n >= sizeof(j->module))
        return -1;
    memcpy(j->module, s, n);
    s += n;
    while (isspace((unsigned char)*s))
        s++;
    n = strcspn(s, " \t\r\n;"); /* control flag: required, requisite, sufficient, optional */
    if (n == 0)
        return -1;
    s += n;
    for (;;) {
        while (isspace((unsigned char)*s))
            s++;
        if (*s == ';' || *s == '\0')
            return 0;
        n = strcspn(s, "= \t\r\n;");
        if (n == 0 || s[n] != '=' || j->nopts == 16)
            return -1;
        char *name = strndup(s, n);
        s += n + 1;
        char *value = malloc(strlen(s) + 1);
        if (name == NULL || value == NULL) {
            free(name);
            free(value);
            return -1;
        }
        size_t vn = 0;
        if (*s == '"') {
            for (s++; *s && *s != '"'; s++) {
                if (*s == '\\' && s[1])
                    s++;
                value[vn++] = *s;
            }
            if (*s != '"') {
                free(name);
                free(value);
                return -1;
            }
            s++;
        } else {
            while (*s && !isspace((unsigned char)*s) && *s != ';')
                value[vn++] = *s++;
        }
        value[vn] = '\0';
        j->opt_name[j->nopts] = name;
        j->opt_value[j->nopts] = value;
        j->nopts++;
    }
}

static int cc_jaas_config(cc_ctx *c, const cc_entry *e)
{
    cc_jaas j;
    if (cc_jaas_parse(e->value, &j) != 0) {
        cc_jaas_free(&j);
        snprintf(c->errstr, c->errstr_size,
                 "Invalid value for configuration %s: expected '<LoginModule> <flag> "
                 "key=\"value\" ...;'",
                 e->origin);
        return -1;
    }
    const char *simple = strrchr(j.module, '.') ? strrchr(j.module, '.') + 1 : j.module;
    int rc = 0;
    if (strcmp(simple, "PlainLoginModule") == 0 || strcmp(simple, "ScramLoginModule") == 0) {
        const char *u = cc_jaas_opt(&j, "username"), *p = cc_jaas_opt(&j, "password");
        if (u)
            rc = cc_set(c, e, "sasl.username", u);
        if (rc == 0 && p)
            rc = cc_set(c, e, "sasl.password", p);
    } else if (strcmp(simple, "Krb5LoginModule") == 0) {
        const char *pr = cc_jaas_opt(&j, "principal"), *kt = cc_jaas_opt(&j, "keyTab");
        if (pr)
            rc = cc_set(c, e, "sasl.kerberos.principal", pr);
        if (rc == 0 && kt)
            rc = cc_set(c, e, "sasl.kerberos.keytab", kt);
    } else {
        cc_warn_once(e->origin,
                     "ignoring %s: librdkafka cannot use login module %s (set librdkafka's "
                     "sasl.* properties instead)",
                     e->origin, j.module);
    }
    cc_jaas_free(&j);
    return rc;
}

static bool cc_type_is(const cc_map *m, const char *type_key, const char *type)
{
    const char *v = cc_map_get(m, type_key);
    return v && strcasecmp(v, type) == 0;
}

static bool cc_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* Keys a Java client needs and librdkafka has no use for: ignored without a word. */
static const char *const k_silent[] = {
    "key.serializer",    "value.serializer",    "key.deserializer",        "value.deserializer",
    "ssl.keystore.type", "ssl.truststore.type", "ssl.truststore.password", NULL,
};

static bool cc_in(const char *key, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(key, list[i]) == 0)
            return true;
    return false;
}

/* Apply one merged entry, translating it where needed. */
static int cc_apply(cc_ctx *c, const cc_entry *e)
{
    const char *k = e->key;
    if (e->value == NULL || *e->value == '\0') {
        /* Java's way to turn off hostname verification. */
        if (strcmp(k, "ssl.endpoint.identification.algorithm") == 0)
            return cc_set(c, e, k, "none");
        return 0;
    }
    if (cc_in(k, k_silent))
        return 0;
    if (strcmp(k, "bootstrap.servers") == 0)
        return cc_bootstrap(c, e);
    if (strcmp(k, "security.protocol") == 0 ||
        strcmp(k, "ssl.endpoint.identification.algorithm") == 0)
        return cc_lower(c, e, k);
    if (strcmp(k, "send.buffer.bytes") == 0)
        return cc_buffer_bytes(c, e, "socket.send.buffer.bytes");
    if (strcmp(k, "receive.buffer.bytes") == 0)
        return cc_buffer_bytes(c, e, "socket.receive.buffer.bytes");
    if (strcmp(k, "buffer.memory") == 0)
        return cc_buffer_memory(c, e);
    if (strcmp(k, "max.request.size") == 0)
        return cc_set(c, e, "message.max.bytes", e->value);
    if (strcmp(k, "fetch.max.wait.ms") == 0)
        return cc_set(c, e, "fetch.wait.max.ms", e->value);
    if (strcmp(k, "auto.offset.reset") == 0)
        return cc_set(c, e, k, strcasecmp(e->value, "none") == 0 ? "error" : e->value);
    if (strcmp(k, "partition.assignment.strategy") == 0)
        return cc_assignors(c, e);
    if (strcmp(k, "sasl.jaas.config") == 0)
        return cc_jaas_config(c, e);
    if (strcmp(k, "ssl.truststore.location") == 0) {
        if (cc_type_is(c->map, "ssl.truststore.type", "PEM"))
            return cc_set(c, e, "ssl.ca.location", e->value);
        cc_warn_once(e->origin,
                     "ignoring %s: librdkafka reads PEM trust stores only (set "
                     "ssl.truststore.type=PEM, or ssl.ca.location)",
                     e->origin);
        return 0;
    }
    if (strcmp(k, "ssl.truststore.certificates") == 0)
        return cc_set(c, e, "ssl.ca.pem", e->value);
    if (strcmp(k, "ssl.keystore.location") == 0) {
        if (cc_type_is(c->map, "ssl.keystore.type", "PEM")) {
            /* A PEM key store holds the key and the chain; OpenSSL reads each from it. */
            if (cc_set(c, e, "ssl.certificate.location", e->value) != 0)
                return -1;
            return cc_set(c, e, "ssl.key.location", e->value);
        }
        if (cc_type_is(c->map, "ssl.keystore.type", "JKS") ||
            (cc_map_get(c->map, "ssl.keystore.type") == NULL && cc_ends_with(e->value, ".jks"))) {
            cc_warn_once(e->origin,
                         "ignoring %s: librdkafka cannot read JKS key stores (use PKCS12 or PEM)",
                         e->origin);
            return 0;
        }
        return cc_set(c, e, "ssl.keystore.location", e->value); /* PKCS#12 */
    }
    if (strcmp(k, "ssl.keystore.password") == 0 && cc_type_is(c->map, "ssl.keystore.type", "PEM"))
        return 0; /* Java: a PEM key's password is ssl.key.password */
    if (strcmp(k, "ssl.keystore.certificate.chain") == 0)
        return cc_set(c, e, "ssl.certificate.pem", e->value);
    if (strcmp(k, "ssl.keystore.key") == 0)
        return cc_set(c, e, "ssl.key.pem", e->value);
    return cc_set(c, e, k, e->value);
}

/* ---- layers ---- */

static const char *const k_top_level_keys[] = {
    "bootstrap.servers",
    "client.id",
    "client.dns.lookup",
    "security.protocol",
    "metadata.max.age.ms",
    "request.timeout.ms",
    "retry.backoff.ms",
    "reconnect.backoff.ms",
    "reconnect.backoff.max.ms",
    "send.buffer.bytes",
    "receive.buffer.bytes",
    "connections.max.idle.ms",
    "socket.connection.setup.timeout.ms",
    "socket.connection.setup.timeout.max.ms",
    NULL,
};

static bool cc_is_top_level_key(const char *key)
{
    if (strcmp(key, "ssl.client.auth") == 0) /* the REST listeners' setting */
        return false;
    return strncmp(key, "ssl.", 4) == 0 || strncmp(key, "sasl.", 5) == 0 ||
           cc_in(key, k_top_level_keys);
}

static const char *cc_worker_prefix(clientconf_kind kind)
{
    switch (kind) {
    case CLIENTCONF_PRODUCER:
        return "producer.";
    case CLIENTCONF_CONSUMER:
        return "consumer.";
    case CLIENTCONF_ADMIN:
        return "admin.";
    default:
        return NULL;
    }
}

static const char *cc_override_prefix(clientconf_kind kind)
{
    switch (kind) {
    case CLIENTCONF_PRODUCER:
        return "producer.override.";
    case CLIENTCONF_CONSUMER:
        return "consumer.override.";
    case CLIENTCONF_ADMIN:
        return "admin.override.";
    default:
        return NULL;
    }
}

static int cc_put_base(cc_map *m, clientconf_kind kind)
{
    int rc = 0;
    if (cc_kind_is_producer(kind)) {
        rc |= cc_map_put(m, "acks", "all", "base setting acks", true, true);
        rc |= cc_map_put(m, "enable.idempotence", "true", "base setting enable.idempotence", true,
                         true);
        /* Java's default partitioner hashes keys with murmur2: keyed records land on the same
         * partitions a Java worker (or any Java producer) would choose. */
        rc |= cc_map_put(m, "partitioner", "murmur2_random", "base setting partitioner", true,
                         true);
        if (kind == CLIENTCONF_PRODUCER)
            rc |= cc_map_put(m, "delivery.timeout.ms", "2147483647",
                             "base setting delivery.timeout.ms", true, true);
    } else if (cc_kind_is_consumer(kind)) {
        rc |= cc_map_put(m, "enable.auto.commit", "false", "base setting enable.auto.commit", true,
                         true);
        rc |= cc_map_put(m, "auto.offset.reset", "earliest", "base setting auto.offset.reset", true,
                         true);
    }
    return rc;
}

/* Java turns its default idempotence off when the user's settings conflict with it instead of
 * failing; librdkafka would refuse to create the producer, so do the same here. */
static void cc_relax_idempotence(cc_map *m)
{
    const cc_entry *idem = cc_map_find(m, "enable.idempotence");
    if (idem == NULL || !idem->base)
        return;
    const char *acks = cc_map_get(m, "acks");
    if (acks == NULL)
        acks = cc_map_get(m, "request.required.acks");
    const char *inflight = cc_map_get(m, "max.in.flight.requests.per.connection");
    if (inflight == NULL)
        inflight = cc_map_get(m, "max.in.flight");
    const char *retries = cc_map_get(m, "retries");
    if (retries == NULL)
        retries = cc_map_get(m, "message.send.max.retries");
    long long n = 0;
    bool conflict = (acks && strcasecmp(acks, "all") != 0 && strcmp(acks, "-1") != 0) ||
                    (inflight && cc_parse_ll(inflight, &n) == 0 && n > 5) ||
                    (retries && cc_parse_ll(retries, &n) == 0 && n == 0);
    if (conflict) {
        LOG_DEBUG(CC_LOGGER, "idempotence off: acks/max.in.flight/retries conflict with it");
        cc_map_remove(m, "enable.idempotence");
    }
}

static int cc_oom(char *errstr, size_t errstr_size)
{
    snprintf(errstr, errstr_size, "out of memory building client configuration");
    return -1;
}

/* Layers 2 and 3 from the worker's properties. */
static int cc_put_worker(cc_map *m, clientconf_kind kind, const sl_props *worker, char *errstr,
                         size_t errstr_size)
{
    size_t n = worker ? sl_props_count(worker) : 0;
    for (size_t i = 0; i < n; i++) {
        const char *k = sl_props_key_at(worker, i);
        if (k && cc_is_top_level_key(k) &&
            cc_map_put(m, k, sl_props_value_at(worker, i), k, true, false) != 0)
            return cc_oom(errstr, errstr_size);
    }
    const char *prefix = cc_worker_prefix(kind);
    if (prefix == NULL)
        return 0;
    size_t plen = strlen(prefix);
    for (size_t i = 0; i < n; i++) {
        const char *k = sl_props_key_at(worker, i);
        if (k == NULL || strncmp(k, prefix, plen) != 0 || k[plen] == '\0')
            continue;
        /* admin.listeners(.https.*) configures the REST admin endpoints, not a client. */
        if (kind == CLIENTCONF_ADMIN && strncmp(k, "admin.listeners", 15) == 0)
            continue;
        if (cc_map_put(m, k + plen, sl_props_value_at(worker, i), k, false, false) != 0)
            return cc_oom(errstr, errstr_size);
    }
    return 0;
}

/* Layer 4 from the connector's overrides, checked against the worker's policy. */
static int cc_put_overrides(cc_map *m, clientconf_kind kind, const sl_props *worker,
                            const sl_props *connector, char *errstr, size_t errstr_size)
{
    const char *prefix = cc_override_prefix(kind);
    if (prefix == NULL || connector == NULL)
        return 0;
    const char *policy = worker ? sl_props_get(worker, CC_POLICY_KEY) : NULL;
    if (!clientconf_policy_known(policy)) {
        snprintf(errstr, errstr_size, "Invalid value %s for configuration %s: unknown policy",
                 policy, CC_POLICY_KEY);
        return -1;
    }
    size_t plen = strlen(prefix);
    for (size_t i = 0; i < sl_props_count(connector); i++) {
        const char *k = sl_props_key_at(connector, i);
        if (k == NULL || strncmp(k, prefix, plen) != 0 || k[plen] == '\0')
            continue;
        if (!clientconf_override_allowed(policy, k + plen)) {
            /* Connect's ConnectorClientConfigOverridePolicy message. */
            snprintf(errstr, errstr_size,
                     "The '%s' policy does not allow '%s' to be overridden in the connector "
                     "configuration.",
                     policy ? policy : "All", k + plen);
            return -1;
        }
        if (cc_map_put(m, k + plen, sl_props_value_at(connector, i), k, false, false) != 0)
            return cc_oom(errstr, errstr_size);
    }
    return 0;
}

rd_kafka_conf_t *clientconf_build(clientconf_kind kind, const sl_props *worker,
                                  const sl_props *connector, char *errstr, size_t errstr_size)
{
    if (kind < CLIENTCONF_PRODUCER || kind > CLIENTCONF_INTERNAL_ADMIN) {
        snprintf(errstr, errstr_size, "unknown client kind %d", (int)kind);
        return NULL;
    }
    cc_map m = {0};
    if (cc_put_base(&m, kind) != 0) {
        cc_oom(errstr, errstr_size);
        cc_map_free(&m);
        return NULL;
    }
    if (cc_put_worker(&m, kind, worker, errstr, errstr_size) != 0 ||
        (!cc_kind_is_internal(kind) &&
         cc_put_overrides(&m, kind, worker, connector, errstr, errstr_size) != 0)) {
        cc_map_free(&m);
        return NULL;
    }
    cc_relax_idempotence(&m);

    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, clientconf_log_cb);
    cc_ctx c = {
        .conf = conf, .kind = kind, .map = &m, .errstr = errstr, .errstr_size = errstr_size};
    for (size_t i = 0; i < m.n; i++) {
        if (cc_apply(&c, &m.v[i]) != 0) {
            rd_kafka_conf_destroy(conf);
            cc_map_free(&m);
            return NULL;
        }
    }
    cc_map_free(&m);
    return conf;
}

const char *clientconf_kind_name(clientconf_kind kind)
{
    switch (kind) {
    case CLIENTCONF_PRODUCER:
        return "producer";
    case CLIENTCONF_CONSUMER:
        return "consumer";
    case CLIENTCONF_ADMIN:
        return "admin client";
    case CLIENTCONF_INTERNAL_PRODUCER:
        return "internal producer";
    case CLIENTCONF_INTERNAL_CONSUMER:
        return "internal consumer";
    case CLIENTCONF_INTERNAL_ADMIN:
        return "internal admin client";
    }
    return "client";
}

/* ---- override policies (Connect's ConnectorClientConfigOverridePolicy, KIP-458) ---- */

typedef enum cc_policy {
    CC_POLICY_UNKNOWN = 0,
    CC_POLICY_ALL,
    CC_POLICY_NONE,
    CC_POLICY_PRINCIPAL
} cc_policy;

/* "All", "AllConnectorClientConfigOverridePolicy" or the full class name, any case. */
static cc_policy cc_policy_parse(const char *policy)
{
    if (policy == NULL)
        return CC_POLICY_ALL;
    const char *simple = strrchr(policy, '.') ? strrchr(policy, '.') + 1 : policy;
    static const char suffix[] = "ConnectorClientConfigOverridePolicy";
    size_t n = strlen(simple);
    if (n > sizeof(suffix) - 1 && strcasecmp(simple + n - (sizeof(suffix) - 1), suffix) == 0)
        n -= sizeof(suffix) - 1;
    if (n == 3 && strncasecmp(simple, "All", 3) == 0)
        return CC_POLICY_ALL;
    if (n == 4 && strncasecmp(simple, "None", 4) == 0)
        return CC_POLICY_NONE;
    if (n == 9 && strncasecmp(simple, "Principal", 9) == 0)
        return CC_POLICY_PRINCIPAL;
    return CC_POLICY_UNKNOWN;
}

bool clientconf_policy_known(const char *policy)
{
    return cc_policy_parse(policy) != CC_POLICY_UNKNOWN;
}

bool clientconf_override_allowed(const char *policy, const char *key)
{
    static const char *const k_principal[] = {"sasl.jaas.config", "sasl.mechanism",
                                              "security.protocol", NULL};
    if (key == NULL)
        return false;
    switch (cc_policy_parse(policy)) {
    case CC_POLICY_ALL:
        return true;
    case CC_POLICY_PRINCIPAL:
        return cc_in(key, k_principal);
    default:
        return false;
    }
}

/* ---- logging ---- */

void clientconf_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    sl_log_level lvl = level <= 3   ? SL_LOG_ERROR
                       : level == 4 ? SL_LOG_WARN
                       : level <= 6 ? SL_LOG_INFO
                                    : SL_LOG_DEBUG;
    wlog(lvl, "rdkafka", "%s: [%s] %s", rk ? rd_kafka_name(rk) : "-", fac ? fac : "-",
         buf ? buf : "");
}
