/* transforms/smt_regex.c: pcre2-backed Java regex behaviour for RegexRouter and
 * TopicNameMatches: whole-string matches(), replaceFirst() with Java replacement syntax. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smt.h"
#include "smt_regex.h"

typedef struct repl_seg {
    int group; /* -1 for literal text */
    char *text;
    size_t len;
} repl_seg;

struct smt_regex {
    pcre2_code *code;
    pcre2_match_data *md;
    uint32_t ngroups;
    repl_seg *segs;
    size_t nsegs;
};

int smt_regex_compile(const char *pattern, smt_regex **out, char *errstr, size_t errstr_size)
{
    *out = NULL;
    int err = 0;
    PCRE2_SIZE off = 0;
    /* Java's Pattern is Unicode-aware on code points; PCRE2_UTF matches that for '.' etc. */
    pcre2_code *code =
        pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &err, &off, NULL);
    if (code == NULL) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof(msg));
        snprintf(errstr, errstr_size, "%s near index %zu", (const char *)msg, (size_t)off);
        return SL_ERR;
    }
    smt_regex *re = calloc(1, sizeof(*re));
    if (re == NULL || (re->md = pcre2_match_data_create_from_pattern(code, NULL)) == NULL) {
        free(re);
        pcre2_code_free(code);
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    re->code = code;
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &re->ngroups);
    *out = re;
    return SL_OK;
}

static void free_segs(smt_regex *re)
{
    for (size_t i = 0; i < re->nsegs; i++)
        free(re->segs[i].text);
    free(re->segs);
    re->segs = NULL;
    re->nsegs = 0;
}

void smt_regex_free(smt_regex *re)
{
    if (re == NULL)
        return;
    free_segs(re);
    pcre2_match_data_free(re->md);
    pcre2_code_free(re->code);
    free(re);
}

int smt_regex_matches(smt_regex *re, const char *s)
{
    /* Matcher.matches(): anchored at both ends, with backtracking into alternatives */
    int rc = pcre2_match(re->code, (PCRE2_SPTR)s, strlen(s), 0, PCRE2_ANCHORED | PCRE2_ENDANCHORED,
                         re->md, NULL);
    return rc >= 0 ? 1 : 0;
}

/* ==== replacement (Matcher.appendReplacement's syntax) ==== */

static int add_seg(smt_regex *re, size_t *cap, int group, const char *text, size_t len)
{
    if (group < 0 && len == 0)
        return SL_OK;
    if (group < 0 && re->nsegs > 0 && re->segs[re->nsegs - 1].group < 0) {
        repl_seg *sg = &re->segs[re->nsegs - 1];
        char *nt = realloc(sg->text, sg->len + len + 1);
        if (nt == NULL)
            return SL_ERR;
        memcpy(nt + sg->len, text, len);
        sg->len += len;
        nt[sg->len] = '\0';
        sg->text = nt;
        return SL_OK;
    }
    if (re->nsegs == *cap) {
        size_t nc = *cap ? *cap * 2 : 4;
        repl_seg *ns = realloc(re->segs, nc * sizeof(*ns));
        if (ns == NULL)
            return SL_ERR;
        re->segs = ns;
        *cap = nc;
    }
    repl_seg *sg = &re->segs[re->nsegs];
    sg->group = group;
    sg->text = NULL;
    sg->len = 0;
    if (group < 0) {
        if ((sg->text = malloc(len + 1)) == NULL)
            return SL_ERR;
        memcpy(sg->text, text, len);
        sg->text[len] = '\0';
        sg->len = len;
    }
    re->nsegs++;
    return SL_OK;
}

int smt_regex_set_replacement(smt_regex *re, const char *r, char *errstr, size_t errstr_size)
{
    free_segs(re);
    size_t cap = 0, n = strlen(r), i = 0;
    while (i < n) {
        char c = r[i];
        if (c == '\\') {
            if (i + 1 >= n) {
                snprintf(errstr, errstr_size, "character to be escaped is missing");
                goto fail;
            }
            if (add_seg(re, &cap, -1, &r[i + 1], 1) != SL_OK)
                goto oom;
            i += 2;
        } else if (c == '$') {
            i++;
            if (i >= n) {
                snprintf(errstr, errstr_size, "Illegal group reference: group index is missing");
                goto fail;
            }
            int group;
            if (r[i] == '{') {
                const char *end = strchr(&r[i + 1], '}');
                if (end == NULL) {
                    snprintf(errstr, errstr_size, "named capturing group is missing trailing '}'");
                    goto fail;
                }
                size_t nl = (size_t)(end - &r[i + 1]);
                char name[256];
                if (nl == 0 || nl >= sizeof(name)) {
                    snprintf(errstr, errstr_size, "named capturing group has 0 length name");
                    goto fail;
                }
                memcpy(name, &r[i + 1], nl);
                name[nl] = '\0';
                group = pcre2_substring_number_from_name(re->code, (PCRE2_SPTR)name);
                if (group < 0) {
                    snprintf(errstr, errstr_size, "No group with name {%s}", name);
                    goto fail;
                }
                i += nl + 2;
            } else {
                if (!isdigit((unsigned char)r[i])) {
                    snprintf(errstr, errstr_size, "Illegal group reference");
                    goto fail;
                }
                /* Java: the first digit always counts; more digits only while the number
                 * stays a valid group */
                group = r[i++] - '0';
                while (i < n && isdigit((unsigned char)r[i])) {
                    int next = group * 10 + (r[i] - '0');
                    if ((uint32_t)next > re->ngroups)
                        break;
                    group = next;
                    i++;
                }
                if ((uint32_t)group > re->ngroups) {
                    snprintf(errstr, errstr_size, "No group %d", group);
                    goto fail;
                }
            }
            if (add_seg(re, &cap, group, NULL, 0) != SL_OK)
                goto oom;
        } else {
            size_t j = i;
            while (j < n && r[j] != '\\' && r[j] != '$')
                j++;
            if (add_seg(re, &cap, -1, &r[i], j - i) != SL_OK)
                goto oom;
            i = j;
        }
    }
    return SL_OK;
oom:
    snprintf(errstr, errstr_size, "out of memory");
fail:
    free_segs(re);
    return SL_ERR;
}

char *smt_regex_replace_first(smt_regex *re, const char *s)
{
    size_t slen = strlen(s);
    int rc = pcre2_match(re->code, (PCRE2_SPTR)s, slen, 0, 0, re->md, NULL);
    if (rc < 0)
        return strdup(s);
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(re->md);
    uint32_t npairs = pcre2_get_ovector_count(re->md);
    size_t total = ov[0] + (slen - ov[1]) + 1;
    for (size_t i = 0; i < re->nsegs; i++) {
        const repl_seg *sg = &re->segs[i];
        if (sg->group < 0)
            total += sg->len;
        else if ((uint32_t)sg->group < npairs && ov[2 * sg->group] != PCRE2_UNSET)
            total += ov[2 * sg->group + 1] - ov[2 * sg->group];
    }
    char *out = malloc(total);
    if (out == NULL)
        return NULL;
    size_t o = 0;
    memcpy(out, s, ov[0]);
    o += ov[0];
    for (size_t i = 0; i < re->nsegs; i++) {
        const repl_seg *sg = &re->segs[i];
        if (sg->group < 0) {
            memcpy(out + o, sg->text, sg->len);
            o += sg->len;
        } else if ((uint32_t)sg->group < npairs && ov[2 * sg->group] != PCRE2_UNSET) {
            size_t gl = ov[2 * sg->group + 1] - ov[2 * sg->group];
            memcpy(out + o, s + ov[2 * sg->group], gl);
            o += gl;
        }
    }
    memcpy(out + o, s + ov[1], slen - ov[1]);
    o += slen - ov[1];
    out[o] = '\0';
    return out;
}

/* ==== the validator ==== */

int smt_valid_regex(const sl_config_def *def, const char *value, char *errstr, size_t errstr_size)
{
    (void)def;
    if (value == NULL)
        return SL_OK; /* the host reports a missing required key */
    smt_regex *re = NULL;
    char why[300];
    if (smt_regex_compile(value, &re, why, sizeof(why)) != SL_OK) {
        snprintf(errstr, errstr_size, "Invalid regex: %s", why);
        return SL_ERR;
    }
    smt_regex_free(re);
    return SL_OK;
}
