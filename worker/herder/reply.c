/* herder/reply.c: building herder replies, including Connect's error body
 * {"error_code":N,"message":"..."} (rest/entities/ErrorMessage). */
#include "herder/herder.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void herder_reply_init(herder_reply *r)
{
    memset(r, 0, sizeof(*r));
    r->status = 500;
}

void herder_reply_fini(herder_reply *r)
{
    json_decref(r->body);
    r->body = NULL;
}

void herder_reply_json(herder_reply *r, int status, json_t *body)
{
    json_decref(r->body);
    r->status = status;
    r->body = body;
}

void herder_reply_error(herder_reply *r, int status, const char *fmt, ...)
{
    char msg[8192];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof(msg)) {
        /* Cut at the start of a UTF-8 sequence: jansson refuses invalid UTF-8. */
        size_t end = sizeof(msg) - 1;
        while (end > 0 && ((unsigned char)msg[end] & 0xC0) == 0x80)
            end--;
        msg[end] = '\0';
    }
    herder_reply_json(r, status, json_pack("{s:i,s:s}", "error_code", status, "message", msg));
}

void herder_reply_health(herder_reply *r, bool answered, bool started)
{
    const char *status, *message;
    int code;
    if (answered && started) {
        code = 200, status = "healthy";
        message = "Worker has completed startup and is ready to handle requests.";
    } else if (!started) {
        code = 503, status = "starting", message = "Worker is still starting up.";
    } else {
        code = 500, status = "unhealthy";
        message = "Worker was unable to handle this request and may be unable to handle other "
                  "requests.";
    }
    herder_reply_json(r, code, json_pack("{s:s,s:s}", "status", status, "message", message));
}
