/* transforms/smt_regex.h: Java-style regular expressions for the SMTs over pcre2: whole-name
 * matching (Matcher.matches) and Matcher.replaceFirst with Java's replacement syntax ($1,
 * ${name}, backslash escapes).
 * Thread rules: a compiled regex owns its match data, so one instance is used by one thread
 * at a time (each transform/predicate instance belongs to one task thread). */
#ifndef SLUICE_TRANSFORMS_SMT_REGEX_H
#define SLUICE_TRANSFORMS_SMT_REGEX_H

#include <stdbool.h>
#include <stddef.h>

typedef struct smt_regex smt_regex;

/* Compile `pattern` (UTF-8). On SL_OK the caller owns *out (smt_regex_free); on SL_ERR errstr
 * has pcre2's reason and the offset. */
int smt_regex_compile(const char *pattern, smt_regex **out, char *errstr, size_t errstr_size);
void smt_regex_free(smt_regex *re);

/* 1 if the whole of `s` matches (Java's Matcher.matches()), 0 if not. */
int smt_regex_matches(smt_regex *re, const char *s);

/* Prepare Java's replacement string `replacement` for `re`: SL_OK, or SL_ERR with Java's
 * message ("No group 3", "character to be escaped is missing", "No group with name {x}"). */
int smt_regex_set_replacement(smt_regex *re, const char *replacement, char *errstr,
                              size_t errstr_size);

/* Java's Matcher.replaceFirst(replacement): the first match of `re` in `s` replaced by the
 * prepared replacement (an unmatched group expands to nothing). Caller frees the result;
 * NULL on allocation failure. Returns a copy of `s` when nothing matches. */
char *smt_regex_replace_first(smt_regex *re, const char *s);

#endif
