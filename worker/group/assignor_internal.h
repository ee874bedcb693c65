/* group/assignor_internal.h: helpers shared by the eager and incremental assignors (input
 * checks, config-offset handling, result setup). Not for use outside worker/group/assignor_*.c. */
#ifndef SLUICE_GROUP_ASSIGNOR_INTERNAL_H
#define SLUICE_GROUP_ASSIGNOR_INTERNAL_H

#include "group/assignor.h"

/* Outcome of assignor_begin. */
enum { ASSIGNOR_BEGIN_ERROR = -1, ASSIGNOR_BEGIN_OK = 0, ASSIGNOR_BEGIN_MISMATCH = 1 };

/* Validate `in`, then fill *out with one entry per member sorted by id (member id, leader id and
 * url, config offset, empty sets). On a config mismatch every entry carries CONFIG_MISMATCH and
 * the members' max offset and MISMATCH is returned. On OK, *sorted (caller frees the array, not
 * the members, which stay borrowed from `in`) lists the members in the same order as
 * out->members. On ERROR errstr says why; *out still needs assignor_result_clear. */
int assignor_begin(const assignor_input *in, assignor_result *out, const assignor_member ***sorted,
                   char *errstr, size_t errstr_size);

/* Configured connector names sorted bytewise (Connect's TreeSet). Caller frees the array only;
 * the entries are borrowed from `in`. NULL on allocation failure (or when there are none, with
 * *n == 0). */
const assignor_connector **assignor_sorted_connectors(const assignor_input *in, size_t *n);

#endif
