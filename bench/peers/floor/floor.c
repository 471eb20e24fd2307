/*
 * floor: the raw append floor every WAL and LogStore figure is compared
 * against. It appends OPS writes of BYTES bytes each with pwrite(2) to a file
 * preallocated by writing zeros and syncing, and calls fdatasync(2) after each write
 * (unless --no-sync): what a log must do at the least to make each append
 * durable. Prints one line:
 *   ops=N bytes=N seconds=S ops_per_sec=X us_per_op=Y mb_per_sec=Z
 * Usage: floor FILE --ops N --bytes B [--no-sync]
 * The file must not exist; it is removed at the end. Errors: message on
 * stderr naming the call and offset, exit 1; bad arguments exit 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { kOpsMax = 100000000, kBytesMax = 64 << 20 };

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(const char* what, const char* path, long long offset) {
  fprintf(stderr, "floor: %s %s at offset %lld: %s\n", what, path, offset, strerror(errno));
  return 1;
}

static int usage(void) {
  fprintf(stderr, "usage: floor FILE --ops N --bytes B [--no-sync] (N in 1..%d, B in 1..%d)\n",
          kOpsMax, kBytesMax);
  return 2;
}

int main(int argc, char** argv) {
  const char* path = NULL;
  long long ops = 0, bytes = 0;
  int sync = 1;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--ops") == 0 && i + 1 < argc) {
      ops = atoll(argv[++i]);
    } else if (strcmp(argv[i], "--bytes") == 0 && i + 1 < argc) {
      bytes = atoll(argv[++i]);
    } else if (strcmp(argv[i], "--no-sync") == 0) {
      sync = 0;
    } else if (argv[i][0] != '-' && path == NULL) {
      path = argv[i];
    } else {
      return usage();
    }
  }
  if (path == NULL || ops < 1 || ops > kOpsMax || bytes < 1 || bytes > kBytesMax) return usage();

  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return fail("open", path, 0);
  const long long total_bytes = ops * bytes;
  /* Preallocate by writing zeros (fallocate alone leaves unwritten extents,
     whose conversion on first write costs a journal commit per fdatasync)
     and make it durable first, so each fdatasync below flushes data only:
     the floor a preallocating log can reach. */
  static char zeros[1 << 20];
  for (long long offset = 0; offset < total_bytes;) { /* bounded by total_bytes */
    long long chunk = total_bytes - offset;
    if (chunk > (long long)sizeof zeros) chunk = (long long)sizeof zeros;
    ssize_t n = pwrite(fd, zeros, (size_t)chunk, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail("pwrite (preallocate)", path, offset);
    offset += n;
  }
  if (fsync(fd) != 0) return fail("fsync", path, 0);
  char* buffer = malloc((size_t)bytes);
  if (buffer == NULL) return fail("malloc", path, 0);
  for (long long k = 0; k < bytes; k++) buffer[k] = (char)(k * 131 + 7);

  const double start = now_seconds();
  for (long long op = 0; op < ops; op++) {
    const long long offset = op * bytes;
    long long written = 0;
    while (written < bytes) { /* bounded: each pass writes >= 1 byte or fails */
      ssize_t n = pwrite(fd, buffer + written, (size_t)(bytes - written), offset + written);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return fail("pwrite", path, offset + written);
      written += n;
    }
    if (sync && fdatasync(fd) != 0) return fail("fdatasync", path, offset);
  }
  const double seconds = now_seconds() - start;
  close(fd);
  unlink(path);
  free(buffer);
  printf("ops=%lld bytes=%lld seconds=%.6f ops_per_sec=%.1f us_per_op=%.3f mb_per_sec=%.3f\n", ops,
         total_bytes, seconds, seconds > 0 ? (double)ops / seconds : 0.0,
         1e6 * seconds / (double)ops, seconds > 0 ? (double)total_bytes / 1e6 / seconds : 0.0);
  return 0;
}
