/* plugins/fs/fs_wal.h: the fs sink's write-ahead log, one per topic partition under
 * logs.dir/<topic>/<partition>/log: intents to rename temporary files to their committed names,
 * written and synced before the renames, replayed on recovery. The log is also the partition's
 * lease: a task holds an exclusive flock on it while it owns the partition. */
#ifndef SLUICE_PLUGINS_FS_WAL_H
#define SLUICE_PLUGINS_FS_WAL_H

#include <stdbool.h>
#include <stddef.h>

/* One rename: both paths relative to the store root. */
typedef struct fs_wal_pair {
    const char *tmp;
    const char *final;
} fs_wal_pair;

/* ---- the format (pure, unit tested) ----
 * A block per commit:  "BEGIN <n>\n", n x "FILE <len>:<tmp> <len>:<final>\n",
 * "END <crc32 of the block so far, 8 hex digits>\n". A block that is torn (crash mid-write) or
 * damaged fails its length or CRC check and ends the log. */

/* Encode a block of n pairs; caller frees the result (NULL when out of memory). */
char *fs_wal_encode(const fs_wal_pair *pairs, size_t n, size_t *len);

/* Decode complete blocks from data[0..len), calling cb for each (pairs borrowed for the call;
 * cb returns SL_OK to go on). Returns the number of complete blocks, or SL_ERR if cb failed;
 * *good_len receives the length of the prefix made of complete blocks (the rest is torn or
 * damaged). */
typedef int (*fs_wal_block_cb)(const fs_wal_pair *pairs, size_t n, void *opaque);
int fs_wal_decode(const char *data, size_t len, fs_wal_block_cb cb, void *opaque, size_t *good_len);

/* ---- the file ----
 * Used by the one task thread that owns the partition. */
typedef struct fs_wal {
    int fd; /* -1 when closed */
    char *path;
    size_t size;
} fs_wal;

/* Open (creating directories and the file) and lock the log at `path` (borrowed). When another
 * owner holds the lock, returns SL_ERR with *busy set (retry later). */
int fs_wal_open(fs_wal *w, const char *path, bool *busy, char *errstr, size_t errstr_size);

/* Recovery: redo every complete block's renames whose temporary file still exists (under
 * `root`), sync the directories, then empty the log. *redone counts the renames done. */
int fs_wal_recover(fs_wal *w, const char *root, int *redone, char *errstr, size_t errstr_size);

/* Append one block and sync it: the commit point of a set of files. */
int fs_wal_append(fs_wal *w, const fs_wal_pair *pairs, size_t n, char *errstr, size_t errstr_size);

/* Empty the log if it has grown past `threshold` bytes (call only when every logged rename is
 * durable). */
int fs_wal_trim(fs_wal *w, size_t threshold, char *errstr, size_t errstr_size);

/* Unlock and close (the lease ends). Safe on a closed log. */
void fs_wal_close(fs_wal *w);

#endif
