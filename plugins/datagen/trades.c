/* plugins/datagen/trades.c: the trades change-event stream: deterministic row versions per key
 * and Debezium's envelope (before, after, source, op, ts_ms), so unwrapping SMTs work on it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datagen.h"
#include "rng.h"
#include "trades.h"

struct dg_trades {
    sl_schema *key;
    sl_schema *row; /* optional: before and after may be null */
    sl_schema *source;
    sl_schema *envelope;
};

/* Keeps trade rows apart from template records drawn from the same seed. */
#define TRADES_SALT 0x7472616465730000ULL

static const char *const symbols[] = {"ZBZX", "ZJZZT", "ZTEST", "ZVV", "ZVZZT", "ZWZZT", "ZXZZT"};
static const char *const sides[] = {"BUY", "SELL", "SHORT"};
static const char *const accounts[] = {"ABC123", "LMN456", "XYZ789"};

static int add(sl_schema *s, const char *name, sl_type type, bool optional)
{
    return sl_schema_add_field(s, name, sl_schema_ref(sl_schema_primitive(type, optional)));
}

dg_trades *dg_trades_new(void)
{
    dg_trades *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return NULL;
    t->key = sl_schema_new_struct("datagen.trades.Key");
    t->row = sl_schema_new_struct("datagen.trades.Value");
    t->source = sl_schema_new_struct("io.sluice.connect.datagen.Source");
    t->envelope = sl_schema_new_struct("datagen.trades.Envelope");
    if (!t->key || !t->row || !t->source || !t->envelope)
        goto fail;
    sl_schema_set_optional(t->row, true);
    if (add(t->key, "id", SL_TYPE_INT64, false) || add(t->row, "id", SL_TYPE_INT64, false) ||
        add(t->row, "symbol", SL_TYPE_STRING, false) ||
        add(t->row, "side", SL_TYPE_STRING, false) ||
        add(t->row, "account", SL_TYPE_STRING, false) ||
        add(t->row, "userid", SL_TYPE_STRING, false) ||
        add(t->row, "quantity", SL_TYPE_INT32, false) || add(t->row, "price", SL_TYPE_INT32, false))
        goto fail;
    /* Debezium's source block, trimmed to what a generator knows, plus where it came from. */
    if (add(t->source, "version", SL_TYPE_STRING, false) ||
        add(t->source, "connector", SL_TYPE_STRING, false) ||
        add(t->source, "name", SL_TYPE_STRING, false) ||
        add(t->source, "ts_ms", SL_TYPE_INT64, false) ||
        add(t->source, "snapshot", SL_TYPE_STRING, true) ||
        add(t->source, "db", SL_TYPE_STRING, false) ||
        add(t->source, "table", SL_TYPE_STRING, false) ||
        add(t->source, "task", SL_TYPE_INT32, false) ||
        add(t->source, "iteration", SL_TYPE_INT64, false))
        goto fail;
    if (sl_schema_add_field(t->envelope, "before", sl_schema_ref(t->row)) ||
        sl_schema_add_field(t->envelope, "after", sl_schema_ref(t->row)) ||
        sl_schema_add_field(t->envelope, "source", sl_schema_ref(t->source)) ||
        add(t->envelope, "op", SL_TYPE_STRING, false) ||
        add(t->envelope, "ts_ms", SL_TYPE_INT64, true))
        goto fail;
    return t;
fail:
    dg_trades_free(t);
    return NULL;
}

const sl_schema *dg_trades_key_schema(const dg_trades *t)
{
    return t->key;
}

const sl_schema *dg_trades_value_schema(const dg_trades *t)
{
    return t->envelope;
}

void dg_trades_free(dg_trades *t)
{
    if (t == NULL)
        return;
    sl_schema_unref(t->key);
    sl_schema_unref(t->row);
    sl_schema_unref(t->source);
    sl_schema_unref(t->envelope);
    free(t);
}

/* Event k of a task: block, round (0 = create .. EVENTS-1 = delete) and slot in the block. */
static void locate(uint64_t k, int task, int tasks, int64_t *id, int *version)
{
    uint64_t per_block = (uint64_t)DG_TRADES_KEYS * DG_TRADES_EVENTS;
    uint64_t block = k / per_block, r = k % per_block;
    *version = (int)(r / DG_TRADES_KEYS);
    uint64_t slot = r % DG_TRADES_KEYS;
    /* Interleave tasks' key ranges: task i owns ids ≡ i+1 (mod tasks). */
    *id = (int64_t)((block * DG_TRADES_KEYS + slot) * (uint64_t)tasks + (uint64_t)task + 1);
}

void dg_trades_position(uint64_t k, int task, int tasks, int64_t *id, char *op)
{
    int version;
    locate(k, task, tasks, id, &version);
    *op = version == 0 ? 'c' : version == DG_TRADES_EVENTS - 1 ? 'd' : 'u';
}

static sl_value *str(const char *s)
{
    return sl_value_new_string(s, strlen(s));
}

/* Row version `version` of trade `id`: symbol, account and user are fixed for the id; side,
 * quantity and price change with each version. */
static sl_value *row(const dg_trades *t, uint64_t seed, int64_t id, int version)
{
    dg_rng fixed = dg_rng_seed(seed ^ TRADES_SALT, (uint64_t)id, 0);
    dg_rng ver = dg_rng_seed(seed ^ TRADES_SALT, (uint64_t)id, (uint64_t)version + 1);
    char user[16];
    snprintf(user, sizeof(user), "User_%d", (int)dg_rng_range(&fixed, 1, 10));
    sl_value *r = sl_value_new_struct(t->row);
    if (r == NULL)
        return NULL;
    if (sl_value_struct_set(r, "id", sl_value_new_int64(id)) ||
        sl_value_struct_set(r, "symbol", str(symbols[dg_rng_below(&fixed, 7)])) ||
        sl_value_struct_set(r, "account", str(accounts[dg_rng_below(&fixed, 3)])) ||
        sl_value_struct_set(r, "userid", str(user)) ||
        sl_value_struct_set(r, "side", str(sides[dg_rng_below(&ver, 3)])) ||
        sl_value_struct_set(r, "quantity",
                            sl_value_new_int32((int32_t)dg_rng_range(&ver, 1, 5000))) ||
        sl_value_struct_set(r, "price", sl_value_new_int32((int32_t)dg_rng_range(&ver, 5, 1000)))) {
        sl_value_destroy(r);
        return NULL;
    }
    return r;
}

int dg_trades_event(const dg_trades *t, uint64_t seed, int task, int tasks, uint64_t k,
                    const char *connector, int64_t now_ms, sl_value **key, sl_value **value)
{
    *key = *value = NULL;
    int64_t id;
    int version;
    locate(k, task, tasks, &id, &version);
    bool create = version == 0, del = version == DG_TRADES_EVENTS - 1;
    sl_value *before = create ? NULL : row(t, seed, id, version - 1);
    sl_value *after = del ? NULL : row(t, seed, id, version);
    sl_value *src = sl_value_new_struct(t->source);
    sl_value *env = sl_value_new_struct(t->envelope);
    sl_value *k_st = sl_value_new_struct(t->key);
    bool ok = src && env && k_st && (create || before) && (del || after);
    ok = ok && !sl_value_struct_set(src, "version", str(DATAGEN_PLUGIN_VERSION)) &&
         !sl_value_struct_set(src, "connector", str("datagen")) &&
         !sl_value_struct_set(src, "name", str(connector ? connector : "datagen")) &&
         !sl_value_struct_set(src, "ts_ms", sl_value_new_int64(now_ms)) &&
         !sl_value_struct_set(src, "snapshot", str("false")) &&
         !sl_value_struct_set(src, "db", str("datagen")) &&
         !sl_value_struct_set(src, "table", str("trades")) &&
         !sl_value_struct_set(src, "task", sl_value_new_int32(task)) &&
         !sl_value_struct_set(src, "iteration", sl_value_new_int64((int64_t)k));
    char op[2] = {create ? 'c' : del ? 'd' : 'u', 0};
    if (ok) {
        /* The struct owns what is set into it from here on. */
        sl_value_struct_set(env, "before", before);
        sl_value_struct_set(env, "after", after);
        sl_value_struct_set(env, "source", src);
        before = after = src = NULL;
        ok = !sl_value_struct_set(env, "op", str(op)) &&
             !sl_value_struct_set(env, "ts_ms", sl_value_new_int64(now_ms)) &&
             !sl_value_struct_set(k_st, "id", sl_value_new_int64(id));
    }
    if (!ok) {
        sl_value_destroy(before);
        sl_value_destroy(after);
        sl_value_destroy(src);
        sl_value_destroy(env);
        sl_value_destroy(k_st);
        return SL_ERR;
    }
    *key = k_st;
    *value = env;
    return SL_OK;
}
