import os, sys, time, mmap
mode=sys.argv[1]; secs=float(sys.argv[2]); path='/tmp/e-synctest-%s.dat'%mode
size=512<<20
fd=os.open(path, os.O_RDWR|os.O_CREAT|os.O_TRUNC, 0o644)
if mode=='written':
    z=b'\0'*(1<<20)
    for i in range(size>>20): os.write(fd,z)
    os.fsync(fd)
elif mode=='fallocate':
    os.ftruncate(fd, size)  # size set, blocks allocated unwritten
    os.posix_fallocate(fd, 0, size) if False else None
    import ctypes; libc=ctypes.CDLL(None); libc.fallocate(fd, 0, ctypes.c_long(0), ctypes.c_long(size))
    os.fsync(fd)
m=mmap.mmap(fd, size)
chunk=b'x'*150000   # ~ a batch of records
pos=0; lat=[]; t0=time.time(); per=[]
while time.time()-t0<secs:
    m[pos:pos+len(chunk)]=chunk; pos=(pos+len(chunk))
    if pos+len(chunk)>size: break
    s=time.perf_counter(); os.fdatasync(fd); lat.append(time.perf_counter()-s)
    time.sleep(0.002)
lat.sort(); n=len(lat)
print(mode, n, 'syncs, MB', pos>>20, 'p50 %.2f ms p99 %.2f ms max %.1f ms, >20ms %d >50ms %d'%(lat[n//2]*1e3, lat[int(n*.99)]*1e3, lat[-1]*1e3, sum(1 for x in lat if x>.02), sum(1 for x in lat if x>.05)))
os.unlink(path)
