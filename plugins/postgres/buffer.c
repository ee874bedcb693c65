/* plugins/postgres/buffer.c: the PostgreSQL sink's micro-batch: rows as COPY text lines in
 * segments (one table, one column list, one operation), the partitions and how far each is
 * taken and stored, queued rejections, and last-wins deduplication by key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copyfmt.h"
#include "pgsink.h"

/* ---- partitions ---- */

pg_part *pgb_find_part(pg_buffer *b, const char *topic, int32_t partition)
{
    /* Records come in runs of one partition: try the last one found first. */
    if (b->last_part < b->nparts) {
        pg_part *p = &b->parts[b->last_part];
        if (p->partition == partition && strcmp(p->topic, topic) == 0)
            return p;
    }
    for (size_t i = 0; i < b->nparts; i++)
        if (b->parts[i].partition == partition && strcmp(b->parts[i].topic, topic) == 0) {
            b->last_part = i;
            return &b->parts[i];
        }
    return NULL;
}

pg_part *pgb_part(pg_buffer *b, const char *topic, int32_t partition)
{
    pg_part *p = pgb_find_part(b, topic, partition);
    if (p != NULL)
        return p;
    if (b->nparts == b->capparts) {
        size_t cap = b->capparts ? b->capparts * 2 : 16;
        pg_part *n = realloc(b->parts, cap * sizeof(*n));
        if (n == NULL)
            return NULL;
        b->parts = n;
        b->capparts = cap;
    }
    char *copy = strdup(topic);
    if (copy == NULL)
        return NULL;
    p = &b->parts[b->nparts++];
    *p = (pg_part){.topic = copy,
                   .partition = partition,
                   .db_next = -1,
                   .buf_next = -1,
                   .first = -1,
                   .needs_lookup = true};
    return p;
}

void pgb_remove_part(pg_buffer *b, const char *topic, int32_t partition)
{
    pg_part *p = pgb_find_part(b, topic, partition);
    if (p == NULL)
        return;
    free(p->topic);
    *p = b->parts[--b->nparts];
}

bool pgb_part_dirty(const pg_part *p)
{
    return p->pending > 0 || (p->buf_next >= 0 && p->buf_next != p->db_next);
}

void pgb_taken(pg_buffer *b, pg_part *p, int64_t off)
{
    if (p->first < 0)
        p->first = off;
    p->buf_next = off + 1;
    if (b->first_ms == 0)
        b->first_ms = pgdb_now_ms();
}

bool pgb_has_work(const pg_buffer *b)
{
    if (b->rows > 0 || b->nrej > 0)
        return true;
    for (size_t i = 0; i < b->nparts; i++)
        if (pgb_part_dirty(&b->parts[i]))
            return true;
    return false;
}

/* ---- segments ---- */

static void seg_free(pg_segment *s)
{
    for (size_t i = 0; i < s->nrows; i++) {
        sl_record_release(s->recs[i]);
        if (s->keys)
            free(s->keys[i]);
        free(s->reasons[i]);
    }
    for (size_t i = 0; i < s->ncols; i++)
        free(s->cols[i]);
    free(s->cols);
    free(s->pk);
    pg_sb_free(&s->data);
    free(s->ends);
    free(s->recs);
    free(s->keys);
    free(s->reasons);
    free(s->state);
    free(s->seq);
    free(s);
}

static pg_segment *seg_new(pg_table *tab, bool is_delete, const char *const *cols, const bool *pk,
                           size_t n, bool keyed)
{
    pg_segment *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->table = tab;
    s->is_delete = is_delete;
    s->cols = calloc(n ? n : 1, sizeof(*s->cols));
    s->pk = calloc(n ? n : 1, sizeof(*s->pk));
    if (s->cols == NULL || s->pk == NULL) {
        seg_free(s);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        s->cols[i] = strdup(cols[i]);
        s->pk[i] = pk[i];
        if (s->cols[i] == NULL) {
            s->ncols = i;
            seg_free(s);
            return NULL;
        }
    }
    s->ncols = n;
    s->keyed = keyed;
    return s;
}

static int seg_grow(pg_segment *s)
{
    if (s->nrows < s->cap)
        return 0;
    size_t cap = s->cap ? s->cap * 2 : 256;
    size_t *ends = realloc(s->ends, cap * sizeof(*ends));
    if (ends != NULL)
        s->ends = ends;
    sl_record **recs = realloc(s->recs, cap * sizeof(*recs));
    if (recs != NULL)
        s->recs = recs;
    char **reasons = realloc(s->reasons, cap * sizeof(*reasons));
    if (reasons != NULL)
        s->reasons = reasons;
    unsigned char *state = realloc(s->state, cap);
    if (state != NULL)
        s->state = state;
    uint64_t *seq = realloc(s->seq, cap * sizeof(*seq));
    if (seq != NULL)
        s->seq = seq;
    char **keys = NULL;
    if (s->keyed) {
        keys = realloc(s->keys, cap * sizeof(*keys));
        if (keys != NULL)
            s->keys = keys;
    }
    if (ends == NULL || recs == NULL || reasons == NULL || state == NULL || seq == NULL ||
        (s->keyed && keys == NULL))
        return -1;
    s->cap = cap;
    return 0;
}

/* The open segment for this table, operation and column list; a new one if none. In insert
 * mode an operation on a table seals the table's segments of the other operation, so that
 * an insert, a delete and an insert of one key apply in that order. */
static pg_segment *segment_for(pg_task *t, pg_table *tab, bool is_delete, const char *const *cols,
                               const bool *pk, size_t n)
{
    pg_buffer *b = &t->buf;
    bool keyed = t->conf.mode != PG_MODE_INSERT;
    for (size_t i = b->nsegs; i-- > 0;) {
        pg_segment *s = b->segs[i];
        if (s->table != tab || s->sealed)
            continue;
        if (s->is_delete != is_delete) {
            if (!keyed)
                s->sealed = true;
            continue;
        }
        if (s->ncols != n)
            continue;
        size_t k = 0;
        while (k < n && strcmp(s->cols[k], cols[k]) == 0)
            k++;
        if (k == n)
            return s;
    }
    if (b->nsegs == b->capsegs) {
        size_t cap = b->capsegs ? b->capsegs * 2 : 8;
        pg_segment **ns = realloc(b->segs, cap * sizeof(*ns));
        if (ns == NULL)
            return NULL;
        b->segs = ns;
        b->capsegs = cap;
    }
    pg_segment *s = seg_new(tab, is_delete, cols, pk, n, keyed);
    if (s != NULL)
        b->segs[b->nsegs++] = s;
    return s;
}

int pgb_append(pg_task *t, pg_table *tab, const pg_row *row, const char **cols, sl_record *rec,
               char *err, size_t err_size)
{
    /* The columns this row writes, in field order. */
    const char *names[row->n ? row->n : 1];
    bool pk[row->n ? row->n : 1];
    size_t n = 0;
    for (size_t i = 0; i < row->n; i++)
        if (cols[i] != NULL && (!row->is_delete || row->f[i].pk)) {
            names[n] = cols[i];
            pk[n++] = row->f[i].pk;
        }
    if (n == 0) {
        snprintf(err, err_size, "the record has no field that table %s has a column for",
                 tab->label);
        return -1;
    }
    pg_segment *s = segment_for(t, tab, row->is_delete, names, pk, n);
    if (s == NULL || seg_grow(s) != 0) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    size_t start = s->data.len;
    pg_sb key = PG_SB_INIT;
    size_t k = 0;
    for (size_t i = 0; i < row->n; i++) {
        if (cols[i] == NULL || (row->is_delete && !row->f[i].pk))
            continue;
        const pg_field *f = &row->f[i];
        if (k++ > 0)
            pg_sb_putc(&s->data, '\t');
        size_t fstart = s->data.len;
        int rc = 0;
        if (f->is_text) {
            if (f->text == NULL)
                pgf_null(&s->data);
            else
                pgf_text(&s->data, f->text, f->len);
        } else {
            rc = pgf_value(&s->data, f->v, f->s, err, err_size);
        }
        if (rc != 0) {
            s->data.len = start;
            pg_sb_free(&key);
            return -1;
        }
        if (s->keyed && f->pk) {
            pg_sb_putn(&key, s->data.buf + fstart, s->data.len - fstart);
            pg_sb_putc(&key, '\t');
        }
    }
    pg_sb_putc(&s->data, '\n');
    char *keystr = NULL;
    if (s->keyed && !key.oom)
        keystr = pg_sb_steal(&key);
    pg_sb_free(&key);
    if (s->data.oom || (s->keyed && keystr == NULL)) {
        free(keystr);
        s->data.oom = false;
        s->data.len = start;
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    size_t i = s->nrows++;
    s->ends[i] = s->data.len;
    s->recs[i] = sl_record_retain(rec);
    s->reasons[i] = NULL;
    s->state[i] = PG_ROW_ACTIVE;
    s->seq[i] = t->buf.seq++;
    if (s->keyed)
        s->keys[i] = keystr;
    t->buf.rows++;
    t->buf.bytes += s->data.len - start;
    return 0;
}

int pgb_reject(pg_buffer *b, sl_record *rec, const char *reason)
{
    if (b->nrej == b->caprej) {
        size_t cap = b->caprej ? b->caprej * 2 : 16;
        pg_reject *n = realloc(b->rej, cap * sizeof(*n));
        if (n == NULL)
            return -1;
        b->rej = n;
        b->caprej = cap;
    }
    char *r = strdup(reason);
    if (r == NULL)
        return -1;
    pg_reject *e = &b->rej[b->nrej++];
    e->rec = sl_record_retain(rec);
    e->reason = r;
    if (b->first_ms == 0)
        b->first_ms = pgdb_now_ms();
    return 0;
}

/* ---- deduplication ---- */

typedef struct dedup_slot {
    pg_segment *seg;
    size_t row;
} dedup_slot;

static uint64_t key_hash(const pg_table *tab, const char *key)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)(uintptr_t)tab;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        h ^= *p;
        h *= 1099511628211ull;
    }
    return h;
}

void pgb_dedup(pg_buffer *b)
{
    size_t total = 0;
    for (size_t i = 0; i < b->nsegs; i++)
        if (b->segs[i]->keyed)
            total += b->segs[i]->nrows;
    if (total < 2)
        return;
    size_t cap = 16;
    while (cap < total * 2)
        cap *= 2;
    dedup_slot *slots = calloc(cap, sizeof(*slots));
    if (slots == NULL)
        return; /* without dedup a repeated key fails the merge and is bisected: slower */
    for (size_t i = 0; i < b->nsegs; i++) {
        pg_segment *s = b->segs[i];
        if (!s->keyed)
            continue;
        for (size_t r = 0; r < s->nrows; r++) {
            if (s->state[r] != PG_ROW_ACTIVE)
                continue;
            size_t h = (size_t)key_hash(s->table, s->keys[r]) & (cap - 1);
            while (slots[h].seg != NULL) {
                dedup_slot *o = &slots[h];
                if (o->seg->table == s->table && strcmp(o->seg->keys[o->row], s->keys[r]) == 0)
                    break;
                h = (h + 1) & (cap - 1);
            }
            if (slots[h].seg == NULL) {
                slots[h] = (dedup_slot){s, r};
                continue;
            }
            /* Last wins, by arrival (segments are visited by operation, not in order): the
             * earlier row for this key is not written. */
            dedup_slot *o = &slots[h];
            if (o->seg->seq[o->row] < s->seq[r]) {
                o->seg->state[o->row] = PG_ROW_SUPERSEDED;
                *o = (dedup_slot){s, r};
            } else {
                s->state[r] = PG_ROW_SUPERSEDED;
            }
        }
    }
    free(slots);
}

void pgb_clear(pg_buffer *b)
{
    for (size_t i = 0; i < b->nsegs; i++)
        seg_free(b->segs[i]);
    b->nsegs = 0;
    for (size_t i = 0; i < b->nrej; i++) {
        sl_record_release(b->rej[i].rec);
        free(b->rej[i].reason);
    }
    b->nrej = 0;
    b->rows = 0;
    b->bytes = 0;
    b->seq = 0;
    b->first_ms = 0;
    for (size_t i = 0; i < b->nparts; i++)
        b->parts[i].pending = 0;
}

void pgb_free(pg_buffer *b)
{
    pgb_clear(b);
    free(b->segs);
    free(b->rej);
    for (size_t i = 0; i < b->nparts; i++)
        free(b->parts[i].topic);
    free(b->parts);
    memset(b, 0, sizeof(*b));
}
