/* plugins/verifiable/common.c: helpers both verifiable connectors use: task config fan-out with
 * task ids, wall-clock time, and a sleep that notices stop requests. */
#define _GNU_SOURCE
#include <stdio.h>
#include <time.h>

#include <sluice/sdk.h>

#include "verifiable.h"

int64_t verifiable_now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

int verifiable_task_configs(const sl_props *props, int max_tasks, sl_props **out, char *errstr,
                            size_t errstr_size)
{
    for (int i = 0; i < max_tasks; i++) {
        out[i] = sl_props_copy(props);
        if (out[i] == NULL) {
            for (int j = 0; j < i; j++)
                sl_props_destroy(out[j]);
            snprintf(errstr, errstr_size, "out of memory");
            return SL_ERR;
        }
        char id[16];
        snprintf(id, sizeof(id), "%d", i);
        sl_props_set(out[i], VERIFIABLE_ID_CONFIG, id);
    }
    return max_tasks < 0 ? 0 : max_tasks;
}

bool verifiable_sleep(sl_task_ctx *ctx, int64_t ms)
{
    while (ms > 0 && !sl_task_stopping(ctx)) {
        int64_t slice = ms < 50 ? ms : 50;
        struct timespec ts = {.tv_sec = 0, .tv_nsec = slice * 1000000L};
        nanosleep(&ts, NULL);
        ms -= slice;
    }
    return !sl_task_stopping(ctx);
}
