# The engine thread's view of a journal sync: one thread appends 96-byte records into a mapped file (as the engine
# appends to the journal's cycle file) and times every store; another thread runs fdatasync back to back (as the
# journal sync thread does). A store into a page a sync has just written back faults (page_mkwrite); this shows how
# long those stores take, for a file whose blocks were written ahead ("written") or only fallocated ("fallocate",
# the journal's reserver today); NOSYNC=1: no syncs (the control). usage: python3 writestall.py MODE SECONDS [RATE_PER_S]   (issue 14, engineer E)
import os, sys, time, mmap, threading, ctypes
mode = sys.argv[1]; nosync = os.environ.get('NOSYNC') == '1'; secs = float(sys.argv[2]); rate = float(sys.argv[3]) if len(sys.argv) > 3 else 20000
path = '/tmp/e-writestall-%s-%d.dat' % (mode, os.getpid())
size = 256 << 20
fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
if mode == 'written':
    z = b'\0' * (1 << 20)
    for i in range(size >> 20): os.write(fd, z)
else:
    libc = ctypes.CDLL(None)
    if libc.fallocate(fd, 1, ctypes.c_long(0), ctypes.c_long(size)) != 0: raise SystemExit('fallocate failed')  # KEEP_SIZE
    os.ftruncate(fd, size)
os.fsync(fd)
m = mmap.mmap(fd, size)
stop = False; syncs = [0]
def syncer():
    while not stop:
        if nosync: time.sleep(0.001); continue
        os.fdatasync(fd); syncs[0] += 1
t = threading.Thread(target=syncer); t.start()
rec = b'r' * 96; pos = 0; lat = []; period = 1.0 / rate
t0 = time.perf_counter(); nxt = t0
while True:
    now = time.perf_counter()
    if now - t0 > secs or pos + 96 > size: break
    if now < nxt: continue
    nxt += period
    s = time.perf_counter(); m[pos:pos + 96] = rec; lat.append(time.perf_counter() - s); pos += 96
stop = True; t.join()
lat.sort(); n = len(lat)
print(('nosync-' if nosync else '') + '%-9s %d stores in %.0f s, %d syncs; store p50 %.1f us p99.9 %.1f us max %.2f ms; stores over 1 ms %d, over 10 ms %d' % (
    mode, n, secs, syncs[0], lat[n // 2] * 1e6, lat[int(n * .999)] * 1e6, lat[-1] * 1e3,
    sum(1 for x in lat if x > .001), sum(1 for x in lat if x > .01)))
os.unlink(path)
