/* plugins/fs/fs_io.h: file-system primitives of the fs sink: durable directory creation and
 * syncing, whole writes, a recursive walk, random names. All return SL_OK / SL_ERR with errstr;
 * all are thread-safe (no shared state). */
#ifndef SLUICE_PLUGINS_FS_IO_H
#define SLUICE_PLUGINS_FS_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Create `path` and its missing parents (mode 0755); each directory created is made durable
 * by syncing its parent, so a file later renamed into it cannot vanish with it. */
int fs_mkdirs(const char *path, char *errstr, size_t errstr_size);

/* fsync a directory (makes renames, creations and removals in it durable). */
int fs_fsync_dir(const char *path, char *errstr, size_t errstr_size);

/* The directory part of `path` (everything before the last '/'), as a new string; NULL when
 * out of memory. "/a" gives "/". */
char *fs_dirname(const char *path);

/* write() all of buf, retrying on EINTR and short writes; SL_ERR with errno set. */
int fs_write_all(int fd, const void *buf, size_t len);

/* Read a whole file into a new NUL-terminated buffer (caller frees). SL_ERR with errno set. */
int fs_read_file(int fd, char **data, size_t *len);

/* Visit every regular file under `dir`, recursively, in no particular order, without following
 * symbolic links. A missing `dir` visits nothing. `cb` gets the file's full path and its name
 * (both borrowed for the call) and returns SL_OK to go on or SL_ERR to stop (then fs_walk
 * returns SL_ERR). */
typedef int (*fs_walk_cb)(const char *path, const char *name, void *opaque);
int fs_walk(const char *dir, fs_walk_cb cb, void *opaque, char *errstr, size_t errstr_size);

/* 64 random bits (getrandom; a time/pid mix if that fails). */
uint64_t fs_random64(void);

#endif
