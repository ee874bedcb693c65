/* plugins/fs/fs_io.c: file-system primitives of the fs sink (directory creation and syncing,
 * whole writes and reads, recursive walks, random bits). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sluice/sdk.h>

#include "fs_io.h"

char *fs_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

int fs_fsync_dir(const char *path, char *errstr, size_t errstr_size)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        snprintf(errstr, errstr_size, "cannot sync directory %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return SL_ERR;
    }
    close(fd);
    return SL_OK;
}

int fs_mkdirs(const char *path, char *errstr, size_t errstr_size)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return SL_OK;
        snprintf(errstr, errstr_size, "%s exists and is not a directory", path);
        return SL_ERR;
    }
    char *parent = fs_dirname(path);
    if (parent == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    int rc = SL_OK;
    if (strcmp(parent, path) != 0 && strcmp(parent, ".") != 0)
        rc = fs_mkdirs(parent, errstr, errstr_size);
    if (rc == SL_OK) {
        if (mkdir(path, 0755) == 0) {
            rc = fs_fsync_dir(parent, errstr, errstr_size);
        } else if (errno != EEXIST) {
            snprintf(errstr, errstr_size, "cannot create directory %s: %s", path, strerror(errno));
            rc = SL_ERR;
        }
    }
    free(parent);
    return rc;
}

int fs_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return SL_ERR;
        }
        p += n;
        len -= (size_t)n;
    }
    return SL_OK;
}

int fs_read_file(int fd, char **data, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    if (buf == NULL)
        return SL_ERR;
    for (;;) {
        if (n == cap) {
            char *nb = realloc(buf, cap * 2 + 1);
            if (nb == NULL) {
                free(buf);
                errno = ENOMEM;
                return SL_ERR;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t r = pread(fd, buf + n, cap - n, (off_t)n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            free(buf);
            return SL_ERR;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return SL_OK;
}

static int walk(const char *dir, fs_walk_cb cb, void *opaque, int depth, char *errstr,
                size_t errstr_size)
{
    if (depth > 64) {
        snprintf(errstr, errstr_size, "%s: directories nested too deep", dir);
        return SL_ERR;
    }
    DIR *d = opendir(dir);
    if (d == NULL) {
        if (errno == ENOENT && depth == 0)
            return SL_OK;
        snprintf(errstr, errstr_size, "cannot list %s: %s", dir, strerror(errno));
        return SL_ERR;
    }
    int rc = SL_OK;
    struct dirent *e;
    while (rc == SL_OK && (errno = 0, e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        char *path = malloc(len);
        if (path == NULL) {
            snprintf(errstr, errstr_size, "out of memory");
            rc = SL_ERR;
            break;
        }
        snprintf(path, len, "%s/%s", dir, e->d_name);
        unsigned char type = e->d_type;
        if (type == DT_UNKNOWN) {
            struct stat st;
            type = lstat(path, &st) != 0 ? DT_UNKNOWN
                   : S_ISDIR(st.st_mode) ? DT_DIR
                   : S_ISREG(st.st_mode) ? DT_REG
                                         : DT_UNKNOWN;
        }
        if (type == DT_DIR)
            rc = walk(path, cb, opaque, depth + 1, errstr, errstr_size);
        else if (type == DT_REG && cb(path, e->d_name, opaque) != SL_OK)
            rc = SL_ERR;
        free(path);
    }
    if (rc == SL_OK && errno != 0) {
        snprintf(errstr, errstr_size, "cannot list %s: %s", dir, strerror(errno));
        rc = SL_ERR;
    }
    closedir(d);
    return rc;
}

int fs_walk(const char *dir, fs_walk_cb cb, void *opaque, char *errstr, size_t errstr_size)
{
    return walk(dir, cb, opaque, 0, errstr, errstr_size);
}

uint64_t fs_random64(void)
{
    uint64_t r;
    if (getrandom(&r, sizeof(r), 0) == (ssize_t)sizeof(r))
        return r;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    static __thread uint64_t ctr;
    return ((uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ull) ^ ((uint64_t)getpid() << 32) ^
           (uint64_t)ts.tv_sec ^ ++ctr;
}
