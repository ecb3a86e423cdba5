import sys, json, subprocess, collections
f = sys.argv[1]; depth = int(sys.argv[2]) if len(sys.argv) > 2 else 1
out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", "jdk.ExecutionSample", f], capture_output=True, text=True).stdout
ev = json.loads(out)["recording"]["events"]
top = collections.Counter(); lines = collections.Counter(); n = 0
for e in ev:
    st = e["values"]["stackTrace"]
    if st is None: continue
    t = e["values"]["sampledThread"]["javaName"]
    if t != "main": continue
    frames = st["frames"]
    names = [fr["method"]["type"]["name"].split(".")[-1] + "." + fr["method"]["name"] for fr in frames]
    if not any("JournalReplay" in x for x in names): continue
    n += 1
    top[names[0]] += 1
    lines[names[0] + ":" + str(frames[0]["lineNumber"])] += 1
    for d in range(1, depth):
        if d < len(names): top["  <" + str(d) + "> " + " < ".join(names[:d+1])] += 0
print("samples in replay", n)
for k, v in top.most_common(30): print("%5d %5.1f%% %s" % (v, 100.0*v/n, k))
print("--- lines")
for k, v in lines.most_common(30): print("%5d %5.1f%% %s" % (v, 100.0*v/n, k))
