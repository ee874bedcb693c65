/* herder/validation.h: connector config validation as the herders answer it over REST
 * (shared by the standalone and distributed herders). */
#ifndef SLUICE_HERDER_VALIDATION_H
#define SLUICE_HERDER_VALIDATION_H

#include "herder/herder.h"

/* Validate `config` (borrowed) as Connect does before writing it. On failure fills `r` with
 * 400 and Connect's message ("Connector configuration is invalid and contains the following
 * N error(s): ..."; an unknown class is also a 400 here, where Connect answers 500) and
 * returns false. Any thread. */
bool herder_validate_or_reply(const sl_props *config, herder_reply *r);

/* PUT /connector-plugins/{p}/config/validate: 200 with ConfigInfos, 400 for a missing or
 * mismatched connector.class, 500 for an unknown class (Connect's codes). `config` is the
 * request's JSON object (borrowed). Validation needs no herder state: `h` is unused, and the
 * signature is herder_ops.validate_config's so both herders put this function in their
 * tables. Any thread. */
void herder_validate_config(herder *h, const char *plugin, json_t *config, herder_reply *r);

#endif
