/* plugins/datagen/regexgen.c: a small regex parser (literals, classes, escapes, groups,
 * alternation, quantifiers) and a generator that walks the parse tree with a dg_rng. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regexgen.h"

typedef enum rx_kind { RX_LIT, RX_CLASS, RX_SEQ, RX_ALT, RX_REPEAT } rx_kind;

typedef struct rx_node rx_node;
struct rx_node {
    rx_kind kind;
    unsigned char lit[4]; /* RX_LIT: one ASCII byte or one whole UTF-8 character */
    size_t litlen;
    uint8_t set[32]; /* RX_CLASS: bitmap of the ASCII bytes it may produce */
    size_t nset;
    rx_node **kids; /* RX_SEQ, RX_ALT */
    size_t nkids;
    rx_node *kid; /* RX_REPEAT */
    int min, max;
};

struct dg_regex {
    rx_node *root;
};

typedef struct rx_parser {
    const unsigned char *s;
    size_t pos, len;
    char *err;
    size_t errsz;
    bool failed;
} rx_parser;

/* What `.` and negated classes draw from: printable ASCII, so output stays readable text. */
#define RX_PRINT_LO 0x20
#define RX_PRINT_HI 0x7e

static void rx_free(rx_node *n)
{
    if (n == NULL)
        return;
    for (size_t i = 0; i < n->nkids; i++)
        rx_free(n->kids[i]);
    free(n->kids);
    rx_free(n->kid);
    free(n);
}

static rx_node *rx_fail(rx_parser *p, rx_node *n, const char *why)
{
    if (!p->failed)
        snprintf(p->err, p->errsz, "regex error at position %zu: %s", p->pos, why);
    p->failed = true;
    rx_free(n);
    return NULL;
}

static rx_node *rx_new(rx_parser *p, rx_kind kind)
{
    rx_node *n = calloc(1, sizeof(*n));
    if (n == NULL)
        return rx_fail(p, NULL, "out of memory");
    n->kind = kind;
    return n;
}

static bool rx_add_kid(rx_parser *p, rx_node *parent, rx_node *kid)
{
    rx_node **k = realloc(parent->kids, (parent->nkids + 1) * sizeof(*k));
    if (k == NULL) {
        rx_free(kid);
        rx_fail(p, NULL, "out of memory");
        return false;
    }
    parent->kids = k;
    parent->kids[parent->nkids++] = kid;
    return true;
}

static void set_add(uint8_t *set, unsigned c)
{
    set[c >> 3] |= (uint8_t)(1u << (c & 7));
}

static bool set_has(const uint8_t *set, unsigned c)
{
    return (set[c >> 3] >> (c & 7)) & 1u;
}

static void set_add_range(uint8_t *set, unsigned lo, unsigned hi)
{
    for (unsigned c = lo; c <= hi; c++)
        set_add(set, c);
}

/* The class of a shorthand escape letter (d, w, s and their negations). False if `c` is not
 * one. */
static bool shorthand_class(unsigned char c, uint8_t *set)
{
    uint8_t tmp[32] = {0};
    switch (c | 0x20) {
    case 'd':
        set_add_range(tmp, '0', '9');
        break;
    case 'w':
        set_add_range(tmp, 'a', 'z');
        set_add_range(tmp, 'A', 'Z');
        set_add_range(tmp, '0', '9');
        set_add(tmp, '_');
        break;
    case 's':
        set_add(tmp, ' ');
        set_add(tmp, '\t');
        break;
    default:
        return false;
    }
    bool negate = c >= 'A' && c <= 'Z';
    for (unsigned ch = 0; ch < 128; ch++) {
        bool in = set_has(tmp, ch);
        if (negate)
            in = !in && ch >= RX_PRINT_LO && ch <= RX_PRINT_HI;
        if (in)
            set_add(set, ch);
    }
    return true;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* A single-character escape after the backslash at p->pos (already consumed): returns the
 * ASCII byte, or -1 after reporting. Shorthand classes are handled by the callers. */
static int rx_escape_char(rx_parser *p)
{
    if (p->pos >= p->len) {
        rx_fail(p, NULL, "trailing backslash");
        return -1;
    }
    unsigned char c = p->s[p->pos++];
    switch (c) {
    case 't':
        return '\t';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 'f':
        return '\f';
    case 'v':
        return '\v';
    case 'x': {
        int hi = p->pos < p->len ? hexval(p->s[p->pos]) : -1;
        int lo = p->pos + 1 < p->len ? hexval(p->s[p->pos + 1]) : -1;
        if (hi < 0 || lo < 0) {
            rx_fail(p, NULL, "\\x needs two hex digits");
            return -1;
        }
        p->pos += 2;
        int v = hi * 16 + lo;
        if (v == 0 || v >= 0x80) {
            rx_fail(p, NULL, "\\x escapes must be ASCII (01-7f)");
            return -1;
        }
        return v;
    }
    default:
        if (c < 0x80 &&
            !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
            return c; /* escaped punctuation stands for itself */
        }
        p->pos--;
        rx_fail(p, NULL,
                "unsupported escape (supported: \\d \\w \\s \\D \\W \\S \\t \\n \\r \\f \\v "
                "\\xHH and escaped punctuation)");
        return -1;
    }
}

static rx_node *rx_parse_class(rx_parser *p)
{
    rx_node *n = rx_new(p, RX_CLASS);
    if (n == NULL)
        return NULL;
    p->pos++; /* '[' */
    bool negate = p->pos < p->len && p->s[p->pos] == '^';
    if (negate)
        p->pos++;
    bool first = true;
    for (;;) {
        if (p->pos >= p->len)
            return rx_fail(p, n, "unterminated character class");
        unsigned char c = p->s[p->pos];
        if (c == ']' && !first) {
            p->pos++;
            break;
        }
        first = false;
        int lo;
        if (c >= 0x80)
            return rx_fail(p, n, "non-ASCII characters in a class are not supported");
        if (c == '[')
            return rx_fail(p, n, "nested classes and POSIX [:name:] are not supported");
        p->pos++;
        if (c == '\\') {
            if (p->pos < p->len && shorthand_class(p->s[p->pos], n->set)) {
                p->pos++;
                continue;
            }
            lo = rx_escape_char(p);
            if (lo < 0)
                return rx_fail(p, n, "");
        } else {
            lo = c;
        }
        /* A range a-b, unless '-' is last ("[a-]" holds '-'). */
        if (p->pos + 1 < p->len && p->s[p->pos] == '-' && p->s[p->pos + 1] != ']') {
            p->pos++;
            unsigned char d = p->s[p->pos];
            int hi;
            if (d >= 0x80)
                return rx_fail(p, n, "non-ASCII characters in a class are not supported");
            p->pos++;
            if (d == '\\') {
                if (p->pos < p->len && shorthand_class(p->s[p->pos], (uint8_t[32]){0}))
                    return rx_fail(p, n, "a class shorthand cannot end a range");
                hi = rx_escape_char(p);
                if (hi < 0)
                    return rx_fail(p, n, "");
            } else {
                hi = d;
            }
            if (hi < lo)
                return rx_fail(p, n, "range out of order in character class");
            set_add_range(n->set, (unsigned)lo, (unsigned)hi);
        } else {
            set_add(n->set, (unsigned)lo);
        }
    }
    if (negate) {
        for (unsigned ch = 0; ch < 32; ch++)
            n->set[ch] = (uint8_t)~n->set[ch];
        for (unsigned ch = 0; ch < 256; ch++)
            if (ch < RX_PRINT_LO || ch > RX_PRINT_HI)
                n->set[ch >> 3] &= (uint8_t) ~(1u << (ch & 7));
    }
    for (unsigned ch = 0; ch < 256; ch++)
        n->nset += set_has(n->set, ch);
    if (n->nset == 0)
        return rx_fail(p, n, "character class matches nothing");
    return n;
}

/* Length of the UTF-8 character starting with byte c (1 for ASCII), 0 if c cannot start one. */
static size_t utf8_len(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        return 2;
    if (c >= 0xe0 && c <= 0xef)
        return 3;
    if (c >= 0xf0 && c <= 0xf4)
        return 4;
    return 0;
}

static rx_node *rx_parse_alt(rx_parser *p, int depth);

static rx_node *rx_parse_atom(rx_parser *p, int depth)
{
    unsigned char c = p->s[p->pos];
    switch (c) {
    case '(': {
        if (depth >= DG_REGEX_MAX_DEPTH)
            return rx_fail(p, NULL, "groups nested too deeply");
        p->pos++;
        if (p->pos < p->len && p->s[p->pos] == '?') {
            if (p->pos + 1 < p->len && p->s[p->pos + 1] == ':')
                p->pos += 2;
            else
                return rx_fail(p, NULL,
                               "only (?:...) groups are supported (no lookaround, "
                               "named groups or flags)");
        }
        rx_node *inner = rx_parse_alt(p, depth + 1);
        if (inner == NULL)
            return NULL;
        if (p->pos >= p->len || p->s[p->pos] != ')')
            return rx_fail(p, inner, "missing )");
        p->pos++;
        return inner;
    }
    case '[':
        return rx_parse_class(p);
    case '.': {
        rx_node *n = rx_new(p, RX_CLASS);
        if (n == NULL)
            return NULL;
        p->pos++;
        set_add_range(n->set, RX_PRINT_LO, RX_PRINT_HI);
        n->nset = RX_PRINT_HI - RX_PRINT_LO + 1;
        return n;
    }
    case '*':
    case '+':
    case '?':
    case '{':
        return rx_fail(p, NULL, "nothing to repeat");
    case ')':
        return rx_fail(p, NULL, "unmatched )");
    case '^':
    case '$':
        return rx_fail(p, NULL, "anchors are only supported at the very start (^) and end ($)");
    case '\\': {
        p->pos++;
        if (p->pos < p->len) {
            uint8_t set[32] = {0};
            if (shorthand_class(p->s[p->pos], set)) {
                rx_node *n = rx_new(p, RX_CLASS);
                if (n == NULL)
                    return NULL;
                p->pos++;
                memcpy(n->set, set, sizeof(set));
                for (unsigned ch = 0; ch < 256; ch++)
                    n->nset += set_has(n->set, ch);
                return n;
            }
        }
        int e = rx_escape_char(p);
        if (e < 0)
            return NULL;
        rx_node *n = rx_new(p, RX_LIT);
        if (n == NULL)
            return NULL;
        n->lit[0] = (unsigned char)e;
        n->litlen = 1;
        return n;
    }
    default: {
        size_t n_bytes = utf8_len(c);
        if (n_bytes == 0 || p->pos + n_bytes > p->len)
            return rx_fail(p, NULL, "invalid UTF-8 in pattern");
        for (size_t i = 1; i < n_bytes; i++)
            if ((p->s[p->pos + i] & 0xc0) != 0x80)
                return rx_fail(p, NULL, "invalid UTF-8 in pattern");
        rx_node *n = rx_new(p, RX_LIT);
        if (n == NULL)
            return NULL;
        memcpy(n->lit, p->s + p->pos, n_bytes);
        n->litlen = n_bytes;
        p->pos += n_bytes;
        return n;
    }
    }
}

/* A decimal count for {n,m}; -1 if there are no digits. Caps at DG_REGEX_MAX_REPEAT + 1. */
static int rx_number(rx_parser *p)
{
    int v = -1;
    while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
        int d = p->s[p->pos++] - '0';
        v = v < 0 ? d : v * 10 + d;
        if (v > DG_REGEX_MAX_REPEAT)
            v = DG_REGEX_MAX_REPEAT + 1;
    }
    return v;
}

/* Parses a quantifier at p->pos if there is one; fills min/max. 1 = found, 0 = none, -1 =
 * error (reported). */
static int rx_quantifier(rx_parser *p, int *min, int *max)
{
    if (p->pos >= p->len)
        return 0;
    switch (p->s[p->pos]) {
    case '?':
        *min = 0, *max = 1;
        break;
    case '*':
        *min = 0, *max = -1;
        break;
    case '+':
        *min = 1, *max = -1;
        break;
    case '{': {
        p->pos++;
        int lo = rx_number(p), hi;
        if (lo < 0) {
            rx_fail(p, NULL, "{ must start a counted repetition {n}, {n,} or {n,m}");
            return -1;
        }
        if (p->pos < p->len && p->s[p->pos] == ',') {
            p->pos++;
            hi = rx_number(p); /* -1: unbounded */
        } else {
            hi = lo;
        }
        if (p->pos >= p->len || p->s[p->pos] != '}') {
            rx_fail(p, NULL, "unterminated counted repetition");
            return -1;
        }
        if (lo > DG_REGEX_MAX_REPEAT || hi > DG_REGEX_MAX_REPEAT) {
            rx_fail(p, NULL, "repetition count too large (at most 1000)");
            return -1;
        }
        if (hi >= 0 && hi < lo) {
            rx_fail(p, NULL, "repetition {n,m} with m < n");
            return -1;
        }
        *min = lo, *max = hi;
        break;
    }
    default:
        return 0;
    }
    p->pos++;
    /* Lazy and possessive forms match the same strings. */
    if (p->pos < p->len && (p->s[p->pos] == '?' || p->s[p->pos] == '+'))
        p->pos++;
    return 1;
}

static rx_node *rx_parse_seq(rx_parser *p, int depth)
{
    rx_node *seq = rx_new(p, RX_SEQ);
    if (seq == NULL)
        return NULL;
    while (p->pos < p->len && p->s[p->pos] != '|' && p->s[p->pos] != ')') {
        rx_node *atom = rx_parse_atom(p, depth);
        if (atom == NULL)
            return rx_fail(p, seq, "");
        int min, max;
        int q = rx_quantifier(p, &min, &max);
        if (q < 0) {
            rx_free(atom);
            return rx_fail(p, seq, "");
        }
        if (q > 0) {
            if (p->pos < p->len && strchr("*+?{", p->s[p->pos]) != NULL) {
                rx_free(atom);
                return rx_fail(p, seq, "nothing to repeat (a quantifier follows a quantifier)");
            }
            rx_node *rep = rx_new(p, RX_REPEAT);
            if (rep == NULL) {
                rx_free(atom);
                return rx_fail(p, seq, "");
            }
            rep->kid = atom;
            rep->min = min;
            rep->max = max < 0 ? min + DG_REGEX_UNBOUNDED_EXTRA : max;
            atom = rep;
        }
        if (!rx_add_kid(p, seq, atom))
            return rx_fail(p, seq, "");
    }
    return seq;
}

static rx_node *rx_parse_alt(rx_parser *p, int depth)
{
    rx_node *first = rx_parse_seq(p, depth);
    if (first == NULL || p->pos >= p->len || p->s[p->pos] != '|')
        return first;
    rx_node *alt = rx_new(p, RX_ALT);
    if (alt == NULL || !rx_add_kid(p, alt, first))
        return rx_fail(p, alt, "");
    while (p->pos < p->len && p->s[p->pos] == '|') {
        p->pos++;
        rx_node *next = rx_parse_seq(p, depth);
        if (next == NULL || !rx_add_kid(p, alt, next))
            return rx_fail(p, alt, "");
    }
    return alt;
}

dg_regex *dg_regex_compile(const char *pattern, char *errstr, size_t errstr_size)
{
    size_t len = strlen(pattern);
    if (len > DG_REGEX_MAX_PATTERN) {
        snprintf(errstr, errstr_size, "regex error: pattern longer than %d bytes",
                 DG_REGEX_MAX_PATTERN);
        return NULL;
    }
    rx_parser p = {
        .s = (const unsigned char *)pattern, .len = len, .err = errstr, .errsz = errstr_size};
    /* Anchors only at the ends: generated strings are whole values anyway. */
    if (p.len > 0 && p.s[0] == '^')
        p.pos++;
    if (p.len > p.pos && p.s[p.len - 1] == '$' && (p.len < 2 || p.s[p.len - 2] != '\\'))
        p.len--;
    rx_node *root = rx_parse_alt(&p, 0);
    if (root != NULL && p.pos < p.len)
        root = rx_fail(&p, root, "unmatched )");
    if (root == NULL)
        return NULL;
    dg_regex *re = malloc(sizeof(*re));
    if (re == NULL) {
        rx_free(root);
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    re->root = root;
    return re;
}

void dg_regex_free(dg_regex *re)
{
    if (re == NULL)
        return;
    rx_free(re->root);
    free(re);
}

typedef struct rx_out {
    char *buf;
    size_t len, cap;
    bool oom;
} rx_out;

static void out_add(rx_out *o, const void *data, size_t n)
{
    if (o->oom || o->len + n > DG_REGEX_MAX_OUTPUT)
        return;
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 64;
        while (cap < o->len + n + 1)
            cap *= 2;
        char *b = realloc(o->buf, cap);
        if (b == NULL) {
            o->oom = true;
            return;
        }
        o->buf = b;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, data, n);
    o->len += n;
}

static void rx_gen(const rx_node *n, dg_rng *rng, rx_out *o)
{
    if (o->oom || o->len >= DG_REGEX_MAX_OUTPUT)
        return; /* hostile nesting: stop rather than run for ever */
    switch (n->kind) {
    case RX_LIT:
        out_add(o, n->lit, n->litlen);
        break;
    case RX_CLASS: {
        uint64_t k = dg_rng_below(rng, n->nset);
        for (unsigned ch = 0; ch < 256; ch++) {
            if (set_has(n->set, ch) && k-- == 0) {
                unsigned char b = (unsigned char)ch;
                out_add(o, &b, 1);
                break;
            }
        }
        break;
    }
    case RX_SEQ:
        for (size_t i = 0; i < n->nkids; i++)
            rx_gen(n->kids[i], rng, o);
        break;
    case RX_ALT:
        rx_gen(n->kids[dg_rng_below(rng, n->nkids)], rng, o);
        break;
    case RX_REPEAT: {
        int64_t times = dg_rng_range(rng, n->min, (int64_t)n->max + 1);
        for (int64_t i = 0; i < times && o->len < DG_REGEX_MAX_OUTPUT; i++)
            rx_gen(n->kid, rng, o);
        break;
    }
    }
}

char *dg_regex_generate(const dg_regex *re, dg_rng *rng, size_t *len)
{
    rx_out o = {0};
    rx_gen(re->root, rng, &o);
    out_add(&o, "", 0);
    if (o.buf == NULL && !o.oom) {
        o.buf = malloc(1);
        o.oom = o.buf == NULL;
    }
    if (o.oom) {
        free(o.buf);
        return NULL;
    }
    o.buf[o.len] = '\0';
    if (len != NULL)
        *len = o.len;
    return o.buf;
}
