/* plugins/datagen/trades.h: the `trades` quickstart: a Debezium-style change-event stream
 * (before/after/source/op/ts_ms envelopes) that creates, updates and deletes trade rows. */
#ifndef SLUICE_PLUGINS_DATAGEN_TRADES_H
#define SLUICE_PLUGINS_DATAGEN_TRADES_H

#include <sluice/sdk.h>
#include <stdint.h>

/* Each task works through blocks of DG_TRADES_KEYS keys: every key of a block is created, then
 * updated DG_TRADES_EVENTS - 2 times, then deleted, in round-robin order. */
#define DG_TRADES_KEYS 5
#define DG_TRADES_EVENTS 4

/* The stream's schemas. Immutable after dg_trades_new, so shareable between threads. */
typedef struct dg_trades dg_trades;

/* Build the schemas. Caller frees with dg_trades_free; NULL on out of memory. */
dg_trades *dg_trades_new(void);

/* Key schema (STRUCT datagen.trades.Key {id INT64}) and value schema (STRUCT
 * datagen.trades.Envelope). Borrowed: valid while `t` lives. */
const sl_schema *dg_trades_key_schema(const dg_trades *t);
const sl_schema *dg_trades_value_schema(const dg_trades *t);

/* Where event `k` of task `task` (of `tasks`) falls: its key id and its op ('c', 'u', 'd').
 * Ids are disjoint between tasks, and every event of one key comes from one task. */
void dg_trades_position(uint64_t k, int task, int tasks, int64_t *id, char *op);

/* Event `k` of task `task` (of `tasks`) for `seed`: *key and *value are new values the caller
 * owns (with the schemas above). Row contents depend only on (seed, id, version); `connector`
 * (borrowed) names the source, `now_ms` stamps ts_ms. SL_ERR on out of memory. */
int dg_trades_event(const dg_trades *t, uint64_t seed, int task, int tasks, uint64_t k,
                    const char *connector, int64_t now_ms, sl_value **key, sl_value **value);

/* Free the schemas. NULL is accepted. */
void dg_trades_free(dg_trades *t);

#endif
