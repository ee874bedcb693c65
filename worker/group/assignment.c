/* group/assignment.c: insertion-ordered connector/task sets used by the assignors.
 * Lookups are linear: Connect clusters hold hundreds to a few thousand items per round. */
#include "group/assignment.h"

#include <stdlib.h>
#include <sys/types.h>
#include <string.h>

void assignment_set_init(assignment_set *s)
{
    memset(s, 0, sizeof(*s));
}

void assignment_set_clear(assignment_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_connectors; i++)
        free(s->connectors[i]);
    free(s->connectors);
    for (size_t i = 0; i < s->n_tasks; i++)
        free(s->tasks[i].connector);
    free(s->tasks);
    memset(s, 0, sizeof(*s));
}

static ssize_t find_connector(const assignment_set *s, const char *name)
{
    for (size_t i = 0; i < s->n_connectors; i++)
        if (strcmp(s->connectors[i], name) == 0)
            return (ssize_t)i;
    return -1;
}

static ssize_t find_task(const assignment_set *s, const char *connector, int32_t task)
{
    for (size_t i = 0; i < s->n_tasks; i++)
        if (s->tasks[i].task == task && strcmp(s->tasks[i].connector, connector) == 0)
            return (ssize_t)i;
    return -1;
}

int assignment_set_add_connector(assignment_set *s, const char *name)
{
    if (!name)
        return -1;
    if (find_connector(s, name) >= 0)
        return 0;
    if (s->n_connectors == s->cap_connectors) {
        size_t cap = s->cap_connectors ? s->cap_connectors * 2 : 8;
        char **p = realloc(s->connectors, cap * sizeof(*p));
        if (!p)
            return -1;
        s->connectors = p;
        s->cap_connectors = cap;
    }
    char *copy = strdup(name);
    if (!copy)
        return -1;
    s->connectors[s->n_connectors++] = copy;
    return 0;
}

int assignment_set_add_task(assignment_set *s, const char *connector, int32_t task)
{
    if (!connector)
        return -1;
    if (find_task(s, connector, task) >= 0)
        return 0;
    if (s->n_tasks == s->cap_tasks) {
        size_t cap = s->cap_tasks ? s->cap_tasks * 2 : 8;
        assignment_task *p = realloc(s->tasks, cap * sizeof(*p));
        if (!p)
            return -1;
        s->tasks = p;
        s->cap_tasks = cap;
    }
    char *copy = strdup(connector);
    if (!copy)
        return -1;
    s->tasks[s->n_tasks].connector = copy;
    s->tasks[s->n_tasks].task = task;
    s->n_tasks++;
    return 0;
}

int assignment_set_add_all(assignment_set *s, const assignment_set *from)
{
    if (!from)
        return 0;
    for (size_t i = 0; i < from->n_connectors; i++)
        if (assignment_set_add_connector(s, from->connectors[i]) < 0)
            return -1;
    for (size_t i = 0; i < from->n_tasks; i++)
        if (assignment_set_add_task(s, from->tasks[i].connector, from->tasks[i].task) < 0)
            return -1;
    return 0;
}

int assignment_set_copy(assignment_set *dst, const assignment_set *src)
{
    assignment_set_clear(dst);
    if (assignment_set_add_all(dst, src) < 0) {
        assignment_set_clear(dst);
        return -1;
    }
    return 0;
}

bool assignment_set_has_connector(const assignment_set *s, const char *name)
{
    return s && name && find_connector(s, name) >= 0;
}

bool assignment_set_has_task(const assignment_set *s, const char *connector, int32_t task)
{
    return s && connector && find_task(s, connector, task) >= 0;
}

bool assignment_set_remove_connector(assignment_set *s, const char *name)
{
    ssize_t i = name ? find_connector(s, name) : -1;
    if (i < 0)
        return false;
    free(s->connectors[i]);
    memmove(&s->connectors[i], &s->connectors[i + 1],
            (s->n_connectors - (size_t)i - 1) * sizeof(*s->connectors));
    s->n_connectors--;
    return true;
}

bool assignment_set_remove_task(assignment_set *s, const char *connector, int32_t task)
{
    ssize_t i = connector ? find_task(s, connector, task) : -1;
    if (i < 0)
        return false;
    free(s->tasks[i].connector);
    memmove(&s->tasks[i], &s->tasks[i + 1], (s->n_tasks - (size_t)i - 1) * sizeof(*s->tasks));
    s->n_tasks--;
    return true;
}

void assignment_set_remove_all(assignment_set *s, const assignment_set *sub)
{
    if (!sub)
        return;
    for (size_t i = 0; i < sub->n_connectors; i++)
        assignment_set_remove_connector(s, sub->connectors[i]);
    for (size_t i = 0; i < sub->n_tasks; i++)
        assignment_set_remove_task(s, sub->tasks[i].connector, sub->tasks[i].task);
}

bool assignment_set_intersects(const assignment_set *a, const assignment_set *b)
{
    if (!a || !b)
        return false;
    for (size_t i = 0; i < a->n_connectors; i++)
        if (find_connector(b, a->connectors[i]) >= 0)
            return true;
    for (size_t i = 0; i < a->n_tasks; i++)
        if (find_task(b, a->tasks[i].connector, a->tasks[i].task) >= 0)
            return true;
    return false;
}

size_t assignment_set_size(const assignment_set *s)
{
    return s ? s->n_connectors + s->n_tasks : 0;
}

bool assignment_set_is_empty(const assignment_set *s)
{
    return assignment_set_size(s) == 0;
}

int assignment_task_cmp(const assignment_task *a, const assignment_task *b)
{
    int c = strcmp(a->connector, b->connector);
    if (c)
        return c;
    return (a->task > b->task) - (a->task < b->task);
}

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_task(const void *a, const void *b)
{
    return assignment_task_cmp(a, b);
}

void assignment_set_sort(assignment_set *s)
{
    if (s->n_connectors > 1)
        qsort(s->connectors, s->n_connectors, sizeof(*s->connectors), cmp_str_ptr);
    if (s->n_tasks > 1)
        qsort(s->tasks, s->n_tasks, sizeof(*s->tasks), cmp_task);
}
